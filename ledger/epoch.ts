/**
 * An epoch closes the log at a tree size: it commits to every entry so far
 * (RFC 6962 log root), proves the new head extends the previous one
 * (consistency proof), and commits to cumulative Heart per address (claim
 * tree, OZ-compatible) for on-chain claims. Invariant checked here: the
 * previous head must be a prefix of the new log (same root at its size).
 */
import { equalBytes, readUint, toHex } from './bytes.ts';
import { buildClaimTree, claimProof, claimProofsParallel, packClaims } from './claim-tree.ts';
import type { ClaimInput, ClaimTree } from './claim-tree.ts';
import { ENTRY_OFFSETS } from './entry.ts';
import { defaultHashPool } from './hash-pool.ts';
import type { HashPool } from './hash-pool.ts';
import { buildLogTreeFromEntries, inclusionProofsParallel, logRoot, proveConsistency, proveInclusion } from './merkle-log.ts';
import type { EntryBatch, LogTree } from './merkle-log.ts';

export interface TreeHead {
  treeSize: number;
  root: Uint8Array;
}

export interface Epoch {
  treeSize: number;
  logRoot: Uint8Array;
  previousHead: TreeHead | undefined;
  /** RFC 6962 consistency proof previousHead.treeSize → treeSize (empty if there is no non-empty previous head). */
  consistencyProof: Uint8Array[];
  claimsRoot: Uint8Array;
  logTree: LogTree;
  claimTree: ClaimTree;
  /** Inclusion proof of entry `index` in this epoch's head. */
  inclusionProof(index: number): Uint8Array[];
  /** OZ-format proof for claim `valueIndex` (order of the ClaimInput). */
  claimProof(valueIndex: number): `0x${string}`[];
  /**
   * Bulk, across the pool's threads: proofs of items [from, to) into shared `out`
   * (item q at byte q·depth·32; depth = proofDepth / claimProofDepth) with node counts in shared `lengths`.
   */
  writeInclusionProofs(from: number, to: number, out: Uint8Array, lengths: Uint8Array): Promise<void>;
  writeClaimProofs(from: number, to: number, out: Uint8Array, lengths: Uint8Array): Promise<void>;
}

/**
 * Builds the epoch over all log entries (entries[0] is seq 0) and the given
 * claims (cumulative Heart per address; see aggregateClaims).
 */
export async function buildEpoch(
  entries: EntryBatch, claims: ClaimInput, previousHead?: TreeHead, pool: HashPool = defaultHashPool(),
): Promise<Epoch> {
  const logTree = await buildLogTreeFromEntries(entries, pool);
  const claimTree = await buildClaimTree(claims, pool);
  let consistencyProof: Uint8Array[] = [];
  if (previousHead && previousHead.treeSize > 0) {
    if (previousHead.treeSize > logTree.size) throw new Error(`buildEpoch: previous head size ${previousHead.treeSize} > ${logTree.size} entries`);
    if (!equalBytes(logRoot(logTree, previousHead.treeSize), previousHead.root)) {
      throw new Error(`buildEpoch: log does not extend the previous head (root at size ${previousHead.treeSize} differs)`);
    }
    consistencyProof = proveConsistency(logTree, previousHead.treeSize);
  }
  return {
    treeSize: logTree.size,
    logRoot: logRoot(logTree),
    previousHead,
    consistencyProof,
    claimsRoot: claimTree.root,
    logTree,
    claimTree,
    inclusionProof: (index) => proveInclusion(logTree, index),
    claimProof: (valueIndex) => claimProof(claimTree, valueIndex),
    writeInclusionProofs: (from, to, out, lengths) => inclusionProofsParallel(logTree, from, to, out, lengths, pool),
    writeClaimProofs: (from, to, out, lengths) => claimProofsParallel(claimTree, from, to, out, lengths, pool),
  };
}

/** Cumulative Heart per player over the entries (fixed offsets, no full decode), addresses in first-seen order. */
export function aggregateClaims(entries: EntryBatch): ClaimInput {
  const totals = new Map<string, bigint>();
  const { player, heart } = ENTRY_OFFSETS;
  for (let i = 0; i < entries.count; i++) {
    const o = entries.offsets[i] as number;
    const key = toHex(entries.bytes.subarray(o + player, o + player + 20));
    totals.set(key, (totals.get(key) ?? 0n) + readUint(entries.bytes, o + heart, 32));
  }
  return packClaims([...totals.keys()], [...totals.values()]);
}
