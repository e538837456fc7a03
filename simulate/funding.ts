// Sponsor funding as the chain mirror recorded it (indexer/: chain_events
// `Funded`/`Disbursed`, pool_bucket_balances), and the same deposits re-split
// under another Local/National/Global split exactly as SponsorPool._fund
// splits them (local and national rounded down, global takes the remainder).
import type pg from 'pg';
import type { Fund } from './replay.ts';

export const BUCKETS = ['local', 'national', 'global'] as const;
export type Bucket = (typeof BUCKETS)[number];
export type BucketAmounts = Record<Bucket, bigint>;

export interface Funding {
  /** stablecoin base units deposited, in total and per zone of the deposit's campaign (campaigns without a zone are not in byZone) */
  total: bigint;
  byZone: Map<string, bigint>;
  /** per bucket, as recorded */
  funded: BucketAmounts;
  disbursed: BucketAmounts;
  /** per bucket, had every deposit been split by `split` */
  resplit(split: Fund): BucketAmounts;
}

const zero = (): BucketAmounts => ({ local: 0n, national: 0n, global: 0n });

export async function readFunding(pool: pg.Pool): Promise<Funding> {
  const [deposits, balances] = await Promise.all([
    pool.query<{ amount: string; zone_id: string | null }>(
      `SELECT e.args->>'amount' AS amount, c.zone_id::text AS zone_id
         FROM chain_events e LEFT JOIN campaigns c ON lower(c.onchain_id) = lower(e.args->>'campaignId')
        WHERE e.event_name = 'Funded'`),
    pool.query<{ bucket: Bucket; funded: string; disbursed: string }>(
      'SELECT bucket::text AS bucket, funded::text AS funded, disbursed::text AS disbursed FROM pool_bucket_balances'),
  ]);
  const amounts = deposits.rows.map((d) => ({ amount: BigInt(d.amount), zoneId: d.zone_id }));
  const byZone = new Map<string, bigint>();
  for (const d of amounts) if (d.zoneId) byZone.set(d.zoneId, (byZone.get(d.zoneId) ?? 0n) + d.amount);
  const funded = zero();
  const disbursed = zero();
  for (const b of balances.rows) {
    funded[b.bucket] = BigInt(b.funded);
    disbursed[b.bucket] = BigInt(b.disbursed);
  }
  return {
    total: amounts.reduce((a, d) => a + d.amount, 0n),
    byZone, funded, disbursed,
    resplit(split) {
      const out = zero();
      for (const { amount } of amounts) {
        const local = (amount * BigInt(split.localBps)) / 10_000n;
        const national = (amount * BigInt(split.nationalBps)) / 10_000n;
        out.local += local;
        out.national += national;
        out.global += amount - local - national;
      }
      return out;
    },
  };
}
