// Proof bundles (format v1, ledger/README.md): shared by `npm run ledger:bundle`, `npm run verify` and the API.
import type { Address, PublicClient } from 'viem';
import { buildLogTreeFromEntries, packEntries, proveInclusion, toHex } from '../ledger/index.ts';
import { readEncodedRange, sqlRows, type SqlExecutor } from './ledger-store.ts';
import type { LogTreeCache } from './log-tree-cache.ts';

/** Proof bundle format, version 1 (documented in ledger/README.md). */
export interface ProofBundle {
  version: 1;
  chainId: number;
  ledgerAnchor: Address;
  epoch: number;
  treeSize: number;
  entry: { seq: number; encoded: string };
  inclusionProof: string[];
  consistency?: { fromEpoch: number; toEpoch: number; proof: string[] };
}

/** Builds a bundle for entry `encoded` (seq `seq`) in an epoch's log tree. */
export function buildProofBundle(a: {
  chainId: number; ledgerAnchor: Address; epoch: number; treeSize: number; seq: number; encoded: Uint8Array; inclusionProof: Uint8Array[];
  consistency?: { fromEpoch: number; toEpoch: number; proof: Uint8Array[] };
}): ProofBundle {
  return {
    version: 1, chainId: a.chainId, ledgerAnchor: a.ledgerAnchor, epoch: a.epoch, treeSize: a.treeSize,
    entry: { seq: a.seq, encoded: toHex(a.encoded) }, inclusionProof: a.inclusionProof.map(toHex),
    ...(a.consistency ? { consistency: { ...a.consistency, proof: a.consistency.proof.map(toHex) } } : {}),
  };
}

/**
 * The proof bundle of entry `seq` against the first anchored epoch that contains
 * it (or `epoch`). With `op.trees` the log tree comes from that cache (the API);
 * without, it is built from the ledger for this one bundle (the CLI). `op.chainId`
 * spares an RPC call when the caller knows it.
 */
export async function bundleForEntry(
  op: { pool: SqlExecutor; reader: PublicClient; anchor: Address; trees?: LogTreeCache; chainId?: number },
  seq: number,
  epoch?: number,
): Promise<ProofBundle> {
  const rows = await sqlRows(
    op.pool,
    `SELECT epoch, tree_size::text AS tree_size FROM epochs
      WHERE status = 'anchored' AND tree_size > $1 AND ($2::int IS NULL OR epoch = $2) ORDER BY epoch LIMIT 1`,
    [seq, epoch ?? null],
  );
  const row = rows[0];
  if (!row) throw new Error(`seq: no anchored epoch${epoch ? ` ${epoch}` : ''} contains entry ${seq} yet`);
  const treeSize = Number(row.tree_size);
  let tree;
  let entry: Uint8Array | undefined;
  if (op.trees) {
    tree = await op.trees.covering(op.pool, treeSize);
    entry = (await readEncodedRange(op.pool, seq, seq + 1))[0];
  } else {
    const encoded = await readEncodedRange(op.pool, 0, treeSize);
    tree = await buildLogTreeFromEntries(packEntries(encoded));
    entry = encoded[seq];
  }
  if (!entry) throw new Error(`seq: entry ${seq} is missing`);
  return buildProofBundle({
    chainId: op.chainId ?? (await op.reader.getChainId()),
    ledgerAnchor: op.anchor,
    epoch: Number(row.epoch),
    treeSize,
    seq,
    encoded: entry,
    inclusionProof: proveInclusion(tree, seq, treeSize),
  });
}
