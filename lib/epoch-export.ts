/**
 * The public export of an epoch (files under epochs/<epoch>/): deterministic for a given ledger prefix,
 * so a rerun rewrites identical bytes and the manifest hash anchored on-chain stays valid.
 */
import { createHash } from 'node:crypto';
import { buildEpoch, decodeEntry, entryHash, leafHash, packClaims, packEntries, toHex, GENESIS_PREV_HASH } from '../ledger/index.ts';
import type { Epoch, TreeHead } from '../ledger/index.ts';
import { creditsDecimal } from './ledger-store.ts';

export const EXPORT_FILES = ['entries.jsonl', 'entries.csv', 'inclusion-proofs.jsonl', 'claims.json'] as const;

export interface EpochExport {
  epoch: Epoch;
  claims: { address: string; amount: bigint }[];
  files: Record<string, Uint8Array>;
  manifest: Uint8Array;
  manifestHash: Uint8Array;
}

export const sha256 = (b: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());
const enc = new TextEncoder();

/** Cumulative Heart per address over the entries, addresses sorted (deterministic leaf indices). */
export function cumulativeClaims(encoded: readonly Uint8Array[]): { address: string; amount: bigint }[] {
  const totals = new Map<string, bigint>();
  for (const e of encoded) {
    const d = decodeEntry(e);
    totals.set(d.player, (totals.get(d.player) ?? 0n) + d.heart);
  }
  return [...totals.keys()].sort().map((address) => ({ address, amount: totals.get(address) ?? 0n }));
}

/** Builds the epoch over all `encoded` entries (seq 0..n-1) and its export files. */
export async function buildEpochExport(
  epochNumber: number, month: string, encoded: readonly Uint8Array[], previous: TreeHead | undefined,
  progress?: (done: number, total: number) => void,
): Promise<EpochExport> {
  const claims = cumulativeClaims(encoded);
  const epoch = await buildEpoch(packEntries(encoded), packClaims(claims.map((c) => c.address), claims.map((c) => c.amount)), previous);
  const jsonl: string[] = [], csv: string[] = [], proofs: string[] = [];
  csv.push('seq,entry_hash,prev_hash,player,action_id,mission_id,xp,heart,impact_credits,fund_local_bps,fund_national_bps,fund_global_bps,formula_version,model_version,score,evidence_commitment,timestamp,encoded');
  let prev = GENESIS_PREV_HASH;
  encoded.forEach((e, i) => {
    const d = decodeEntry(e);
    const h = entryHash(prev, e);
    prev = h;
    const row = {
      seq: Number(d.seq), entryHash: toHex(h), prevHash: toHex(d.prevHash), player: d.player, actionId: d.actionId, missionId: d.missionId,
      xp: d.xp, heart: d.heart.toString(), impactCredits: creditsDecimal(d.impactCredits), fund: d.fund, formulaVersion: d.formulaVersion,
      modelVersion: d.modelVersion, score: d.score, evidenceCommitment: toHex(d.evidenceCommitment), timestamp: d.timestamp, encoded: toHex(e),
    };
    jsonl.push(JSON.stringify(row));
    csv.push([row.seq, row.entryHash, row.prevHash, row.player, row.actionId, row.missionId, row.xp, row.heart, row.impactCredits,
      d.fund.localBps, d.fund.nationalBps, d.fund.globalBps, row.formulaVersion, JSON.stringify(row.modelVersion), row.score,
      row.evidenceCommitment, row.timestamp, row.encoded].join(','));
    proofs.push(JSON.stringify({ seq: i, leafHash: toHex(leafHash(e)), treeSize: epoch.treeSize, proof: epoch.inclusionProof(i).map(toHex) }));
    if (progress && (i % 1000 === 999 || i === encoded.length - 1)) progress(i + 1, encoded.length);
  });
  const claimsJson = {
    epoch: epochNumber, rewardsRoot: toHex(epoch.claimsRoot),
    claims: claims.map((c, i) => ({ address: c.address, cumulativeAmount: c.amount.toString(), leafIndex: i, proof: epoch.claimProof(i) })),
  };
  const files: Record<string, Uint8Array> = {
    'entries.jsonl': enc.encode(jsonl.map((l) => l + '\n').join('')),
    'entries.csv': enc.encode(csv.map((l) => l + '\n').join('')),
    'inclusion-proofs.jsonl': enc.encode(proofs.map((l) => l + '\n').join('')),
    'claims.json': enc.encode(JSON.stringify(claimsJson, null, 2) + '\n'),
  };
  const manifest = enc.encode(JSON.stringify(manifestOf(epochNumber, month, epoch, files), null, 2) + '\n');
  return { epoch, claims, files, manifest, manifestHash: sha256(manifest) };
}

export function manifestOf(epochNumber: number, month: string, epoch: Epoch, files: Record<string, Uint8Array>) {
  return {
    version: 1, epoch: epochNumber, month, treeSize: epoch.treeSize, logRoot: toHex(epoch.logRoot), rewardsRoot: toHex(epoch.claimsRoot),
    previousTreeSize: epoch.previousHead?.treeSize ?? 0, consistencyProof: epoch.consistencyProof.map(toHex),
    files: Object.fromEntries(Object.entries(files).map(([name, b]) => [name, { sha256: toHex(sha256(b)).slice(2), size: b.length }])),
  };
}
