// What a sponsor's money did: deposits and disbursements from the chain mirror, impact from the ledger.
import type pg from 'pg';
import { BUCKETS } from '../../lib/sponsor-pool.ts';

type Row = Record<string, string | number | null>;
const q = async (pool: pg.Pool, text: string, params: unknown[]) => (await pool.query<Row>(text, params)).rows;

/**
 * Deposits of `sponsor` (Funded events) with their bucket split, per-campaign totals, the
 * disbursements out of the campaigns it funded, and the whole pool's buckets (pool_bucket_balances).
 */
export async function sponsorPanel(pool: pg.Pool, chainId: number, sponsor: string) {
  const deposits = await q(pool,
    `SELECT tx_hash AS "txHash", block_number::text AS "blockNumber", args->>'campaignId' AS "campaignId", args->>'zoneId' AS "zoneId",
            args->>'amount' AS amount, args->>'local' AS local, args->>'national' AS national, args->>'global' AS global
       FROM chain_events WHERE chain_id = $1 AND event_name = 'Funded' AND args->>'sponsor' = $2
      ORDER BY block_number DESC, log_index DESC LIMIT 500`, [chainId, sponsor]); // the latest 500; totals below cover all
  // Per campaign: this sponsor's deposits and their split; disbursed = everything paid out of the campaign.
  const campaigns = await q(pool,
    `WITH f AS (
       SELECT args->>'campaignId' AS cid, sum((args->>'amount')::numeric) AS funded, count(*)::int AS deposits, max(block_number) AS last_block,
              sum((args->>'local')::numeric) AS local, sum((args->>'national')::numeric) AS national, sum((args->>'global')::numeric) AS global
         FROM chain_events WHERE chain_id = $1 AND event_name = 'Funded' AND args->>'sponsor' = $2 GROUP BY 1
     ), d AS (
       SELECT args->>'campaignId' AS cid, sum((args->>'amount')::numeric) AS disbursed
         FROM chain_events WHERE chain_id = $1 AND event_name = 'Disbursed' AND args->>'campaignId' IN (SELECT cid FROM f) GROUP BY 1
     )
     SELECT f.cid AS "campaignId", c.name, f.funded::text AS funded, f.deposits, f.local::text AS local, f.national::text AS national, f.global::text AS global,
            COALESCE(d.disbursed, 0)::text AS disbursed
       FROM f LEFT JOIN d ON d.cid = f.cid LEFT JOIN campaigns c ON c.onchain_id = f.cid ORDER BY f.last_block DESC`, [chainId, sponsor]);
  const disbursements = await q(pool,
    `SELECT e.tx_hash AS "txHash", e.block_number::text AS "blockNumber", e.args->>'campaignId' AS "campaignId",
            (ARRAY['local', 'national', 'global'])[(e.args->>'bucket')::int + 1] AS bucket, e.args->>'to' AS "to", e.args->>'amount' AS amount,
            e.args->>'paymentReference' AS "paymentReference"
       FROM chain_events e
      WHERE e.chain_id = $1 AND e.event_name = 'Disbursed'
        AND e.args->>'campaignId' IN (SELECT args->>'campaignId' FROM chain_events WHERE chain_id = $1 AND event_name = 'Funded' AND args->>'sponsor' = $2)
      ORDER BY e.block_number DESC, e.log_index DESC LIMIT 500`, [chainId, sponsor]);
  const buckets = await q(pool, 'SELECT bucket::text AS bucket, funded::text AS funded, disbursed::text AS disbursed, block_number::text AS "blockNumber" FROM pool_bucket_balances', []);
  const sum = (k: string) => campaigns.reduce((s, c) => s + BigInt(String(c[k] ?? 0)), 0n).toString();
  const checkpoint = (await q(pool, 'SELECT block_number::text AS n FROM indexer_checkpoints WHERE chain_id = $1 ORDER BY block_number DESC LIMIT 1', [chainId]))[0];
  return {
    sponsor,
    indexedBlock: (checkpoint?.n as string | undefined) ?? null,
    totals: { funded: sum('funded'), deposits: campaigns.reduce((n, c) => n + Number(c.deposits), 0), split: { local: sum('local'), national: sum('national'), global: sum('global') } },
    campaigns,
    deposits,
    disbursements,
    pool: BUCKETS.map((b) => {
      const r = buckets.find((x) => x.bucket === b);
      const funded = BigInt(String(r?.funded ?? 0));
      const disbursed = BigInt(String(r?.disbursed ?? 0));
      return { bucket: b, funded: funded.toString(), disbursed: disbursed.toString(), balance: (funded - disbursed).toString() };
    }),
  };
}

interface Impact { impactCredits: string; verifiedActions: number; playersReached: number }
const perUnit = (i: Impact, units: number) => (units > 0
  ? { impactCredits: Number(i.impactCredits) / units, verifiedActions: i.verifiedActions / units, playersReached: i.playersReached / units }
  : null);

/**
 * Per campaign of `sponsor` (off-chain records): impact credits, verified actions (ledger entries)
 * and distinct players on the missions and zones it funds within its window, overall and per UTC
 * month, each also per stablecoin unit of the campaign's total deposits (all sponsors of that
 * campaignId; deposits are not attributed to months, so a month's ratio uses the same total).
 */
export async function sponsorRoi(pool: pg.Pool, chainId: number, sponsor: string, decimals: number) {
  const campaigns = await q(pool,
    `SELECT c.id::text, c.onchain_id AS "campaignId", c.name, COALESCE((SELECT sum(amount) FROM sponsor_funding f WHERE f.chain_id = $1 AND f.campaign_id = c.onchain_id), 0)::text AS funded
       FROM campaigns c JOIN sponsors s ON s.id = c.sponsor_id WHERE s.address = $2 ORDER BY c.created_at`, [chainId, sponsor]);
  const rows = await q(pool,
    `SELECT c.id::text AS campaign, to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
            sum(l.impact_credits)::text AS credits, count(*)::int AS actions, count(DISTINCT l.player_address)::int AS players
       FROM campaigns c JOIN sponsors s ON s.id = c.sponsor_id
       JOIN missions m ON m.id IN (SELECT mission_id FROM campaign_missions WHERE campaign_id = c.id)
                       OR m.zone_id IN (SELECT zone_id FROM campaign_zones WHERE campaign_id = c.id)
       JOIN actions a ON a.mission_id = m.id
       JOIN ledger_entries l ON l.action_id = a.id
      WHERE s.address = $1 AND (c.starts_at IS NULL OR l.created_at >= c.starts_at) AND (c.ends_at IS NULL OR l.created_at < c.ends_at)
      GROUP BY GROUPING SETS ((c.id, to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM')), (c.id))
      ORDER BY c.id, month`, [sponsor]);
  const scale = 10 ** decimals;
  return {
    decimals,
    campaigns: campaigns.map((c) => {
      const units = Number(BigInt(String(c.funded))) / scale;
      const mine = rows.filter((r) => r.campaign === c.id);
      const impact = (r: Row | undefined): Impact => ({ impactCredits: String(r?.credits ?? '0'), verifiedActions: Number(r?.actions ?? 0), playersReached: Number(r?.players ?? 0) });
      const total = impact(mine.find((r) => r.month === null));
      return {
        id: c.id, campaignId: c.campaignId, name: c.name, funded: c.funded, fundedUnits: units,
        total: { ...total, perUnit: perUnit(total, units) },
        months: mine.filter((r) => r.month !== null).map((r) => {
          const m = impact(r);
          return { month: r.month, ...m, perUnit: perUnit(m, units) };
        }),
      };
    }),
  };
}
