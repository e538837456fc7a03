import type pg from 'pg';
import { chunks, hamming, toSigned, toUnsigned } from './phash.ts';

export type Queryable = Pick<pg.ClientBase, 'query'>;

/** Every 16-bit value within Hamming distance `radius` (0, 1 or 2) of `v`. */
export function neighbours(v: number, radius: number): number[] {
  const out = [v];
  if (radius >= 1) for (let i = 0; i < 16; i++) out.push(v ^ (1 << i));
  if (radius >= 2) for (let i = 0; i < 16; i++) for (let j = i + 1; j < 16; j++) out.push(v ^ (1 << i) ^ (1 << j));
  return out;
}

export interface NearMatch {
  evidenceId: string;
  actionId: string;
  distance: number;
}

/** The (chunk_no, chunk_value) keys to probe for hashes within `maxDistance` (≤ 11) of `hash`: 68 keys for d ≤ 7. */
export function probeKeys(hash: bigint, maxDistance: number): { chunkNo: number[]; chunkValue: number[] } {
  const radius = Math.min(2, Math.floor(Math.max(maxDistance, 0) / 4));
  const chunkNo: number[] = [];
  const chunkValue: number[] = [];
  chunks(hash).forEach((v, no) => {
    for (const value of neighbours(v, radius)) {
      chunkNo.push(no);
      chunkValue.push(value);
    }
  });
  return { chunkNo, chunkValue };
}

/**
 * The nearest indexed hash within `maxDistance` (≤ 11) among evidence of
 * actions other than `actionId` submitted no later than `before`. The probe
 * keys and the popcount filter run on an index-only scan of
 * evidence_phash_chunks (the key holds the whole hash); only matches are
 * joined to their evidence and action.
 */
export async function nearestHash(db: Queryable, hash: bigint, actionId: string, before: Date, maxDistance: number): Promise<NearMatch | null> {
  const { chunkNo, chunkValue } = probeKeys(hash, maxDistance);
  const { rows } = await db.query<{ id: string; action_id: string; phash: string }>(
    `WITH candidates AS MATERIALIZED (
       SELECT DISTINCT c.evidence_id, c.phash
         FROM unnest($1::int[], $2::int[]) AS p(chunk_no, chunk_value)
         JOIN evidence_phash_chunks c ON c.chunk_no = p.chunk_no AND c.chunk_value = p.chunk_value
        WHERE bit_count((c.phash # $3::bigint)::bit(64)) <= $4)
     SELECT e.id, e.action_id, k.phash::text AS phash
       FROM candidates k JOIN evidence e ON e.id = k.evidence_id JOIN actions a ON a.id = e.action_id
      WHERE e.action_id <> $5 AND a.submitted_at <= $6`,
    [chunkNo, chunkValue, toSigned(hash).toString(), maxDistance, actionId, before],
  );
  let best: NearMatch | null = null;
  for (const r of rows) {
    const d = hamming(toUnsigned(hash), toUnsigned(BigInt(r.phash)));
    if (d <= maxDistance && (!best || d < best.distance)) best = { evidenceId: r.id, actionId: r.action_id, distance: d };
  }
  return best;
}

/** Another action submitted no later than `before` already stored these exact bytes. */
export async function exactDuplicate(db: Queryable, sha256: string, actionId: string, before: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `SELECT 1 FROM evidence e JOIN actions a ON a.id = e.action_id
      WHERE e.sha256 = $1 AND e.action_id <> $2 AND a.submitted_at <= $3 LIMIT 1`,
    [sha256, actionId, before],
  );
  return (rowCount ?? 0) > 0;
}
