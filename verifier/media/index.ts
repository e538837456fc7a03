import type pg from 'pg';
import { bands, hamming, toSigned, toUnsigned } from './phash.ts';

export type Queryable = Pick<pg.ClientBase, 'query'>;

/** Every 16-bit value within Hamming distance `radius` (0, 1 or 2) of `v`. */
export function neighbours(v: number, radius: number): number[] {
  const out = [v];
  if (radius >= 1) for (let i = 0; i < 16; i++) out.push(v ^ (1 << i));
  if (radius >= 2) for (let i = 0; i < 16; i++) for (let j = i + 1; j < 16; j++) out.push(v ^ (1 << i) ^ (1 << j));
  return out;
}

/** Stores the perceptual hash of an evidence row and its four bands (idempotent). */
export async function indexEvidence(db: Queryable, evidenceId: string, hash: bigint, width: number | null, height: number | null): Promise<void> {
  await db.query('UPDATE evidence SET phash = $2, width = COALESCE(width, $3), height = COALESCE(height, $4) WHERE id = $1', [
    evidenceId,
    toSigned(hash).toString(),
    width,
    height,
  ]);
  const b = bands(hash);
  await db.query(
    `INSERT INTO evidence_phash_bands (evidence_id, band, value)
     SELECT $1, g.band, ($2::int[])[g.band + 1] FROM generate_series(0, 3) AS g(band)
     ON CONFLICT (evidence_id, band) DO NOTHING`,
    [evidenceId, b],
  );
}

export interface NearMatch {
  evidenceId: string;
  actionId: string;
  distance: number;
}

/**
 * The nearest indexed hash within `maxDistance` (≤ 11) among evidence of
 * actions other than `actionId` submitted before `before`. Multi-index
 * hashing: any hash within distance d agrees with ours on some band within
 * floor(d/4) bits, so only those band values are probed, then candidates are
 * verified by popcount.
 */
export async function nearestHash(db: Queryable, hash: bigint, actionId: string, before: Date, maxDistance: number): Promise<NearMatch | null> {
  const radius = Math.min(2, Math.floor(maxDistance / 4));
  const b = bands(hash);
  const probes = b.flatMap((v, band) => neighbours(v, radius).map((value) => ({ band, value })));
  const { rows } = await db.query<{ id: string; action_id: string; phash: string }>(
    `SELECT DISTINCT e.id, e.action_id, e.phash::text AS phash
       FROM evidence_phash_bands pb
       JOIN unnest($1::int[], $2::int[]) AS p(band, value) ON pb.band = p.band AND pb.value = p.value
       JOIN evidence e ON e.id = pb.evidence_id
       JOIN actions a ON a.id = e.action_id
      WHERE e.action_id <> $3 AND a.submitted_at <= $4`,
    [probes.map((p) => p.band), probes.map((p) => p.value), actionId, before],
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
