import type pg from 'pg';
import type { Hex } from 'viem';

/** Addresses whose events feed the derived tables. */
export interface DeriveTargets {
  chainId: number;
  token: Hex;
  anchor: Hex;
  pool: Hex;
}

const ZERO = '0x0000000000000000000000000000000000000000';

// Each statement reads the chain_events rows of blocks [$2, $3] and folds them into a derived table.
// Run over a new range it applies deltas; run over [0, n] on emptied tables it recomputes from scratch.
const STATEMENTS: [keyof Omit<DeriveTargets, 'chainId'>, string][] = [
  ['token', `INSERT INTO token_balances (address, balance, block_number)
   SELECT addr, sum(delta), max(bn) FROM (
     SELECT args->>'to' AS addr, (args->>'value')::numeric AS delta, block_number AS bn FROM chain_events
      WHERE chain_id = $1 AND block_number BETWEEN $2 AND $3 AND contract = $4 AND event_name = 'Transfer'
     UNION ALL
     SELECT args->>'from', -(args->>'value')::numeric, block_number FROM chain_events
      WHERE chain_id = $1 AND block_number BETWEEN $2 AND $3 AND contract = $4 AND event_name = 'Transfer'
   ) t WHERE addr <> '${ZERO}' GROUP BY addr
   ON CONFLICT (address) DO UPDATE SET balance = token_balances.balance + EXCLUDED.balance,
     block_number = GREATEST(token_balances.block_number, EXCLUDED.block_number)`],
  ['pool', `INSERT INTO pool_bucket_balances (bucket, funded, disbursed, block_number)
   SELECT b::"Bucket", sum(f), sum(d), max(bn) FROM (
     SELECT k.b, (e.args->>k.b)::numeric AS f, 0::numeric AS d, e.block_number AS bn
       FROM chain_events e CROSS JOIN (VALUES ('local'), ('national'), ('global')) AS k(b)
      WHERE e.chain_id = $1 AND e.block_number BETWEEN $2 AND $3 AND e.contract = $4 AND e.event_name = 'Funded'
     UNION ALL
     SELECT (ARRAY['local', 'national', 'global'])[(args->>'bucket')::int + 1], 0, (args->>'amount')::numeric, block_number
       FROM chain_events
      WHERE chain_id = $1 AND block_number BETWEEN $2 AND $3 AND contract = $4 AND event_name = 'Disbursed'
   ) t GROUP BY b
   ON CONFLICT (bucket) DO UPDATE SET funded = pool_bucket_balances.funded + EXCLUDED.funded,
     disbursed = pool_bucket_balances.disbursed + EXCLUDED.disbursed,
     block_number = GREATEST(pool_bucket_balances.block_number, EXCLUDED.block_number)`],
  ['pool', `INSERT INTO sponsor_funding (chain_id, sponsor, campaign_id, amount, deposits, block_number)
   SELECT $1, args->>'sponsor', args->>'campaignId', sum((args->>'amount')::numeric), count(*), max(block_number)
     FROM chain_events
    WHERE chain_id = $1 AND block_number BETWEEN $2 AND $3 AND contract = $4 AND event_name = 'Funded'
    GROUP BY args->>'sponsor', args->>'campaignId'
   ON CONFLICT (chain_id, sponsor, campaign_id) DO UPDATE SET amount = sponsor_funding.amount + EXCLUDED.amount,
     deposits = sponsor_funding.deposits + EXCLUDED.deposits,
     block_number = GREATEST(sponsor_funding.block_number, EXCLUDED.block_number)`],
  ['anchor', `INSERT INTO chain_epochs (chain_id, epoch, tree_size, log_root, rewards_root, export_uri, export_hash, tx_hash, block_number, block_hash)
   SELECT $1, (args->>'epoch')::bigint, (args->>'treeSize')::bigint, args->>'logRoot', args->>'rewardsRoot',
          args->>'exportURI', args->>'exportHash', tx_hash, block_number, block_hash
     FROM chain_events
    WHERE chain_id = $1 AND block_number BETWEEN $2 AND $3 AND contract = $4 AND event_name = 'EpochAnchored'
   ON CONFLICT (chain_id, epoch) DO NOTHING`],
  ['token', `INSERT INTO chain_redemptions (chain_id, redemption_id, account, amount, tx_hash, block_number, block_hash)
   SELECT $1, args->>'redemptionId', args->>'account', (args->>'amount')::numeric, tx_hash, block_number, block_hash
     FROM chain_events
    WHERE chain_id = $1 AND block_number BETWEEN $2 AND $3 AND contract = $4 AND event_name = 'Redeemed'
   ON CONFLICT (chain_id, redemption_id) DO NOTHING`],
];

/** Folds the events of blocks [from, to] (already in chain_events, same transaction) into the derived tables. */
export async function applyDerived(client: pg.ClientBase, t: DeriveTargets, from: bigint, to: bigint): Promise<void> {
  for (const [i, [contract, sql]] of STATEMENTS.entries()) {
    await client.query({ name: `derive_${i}`, text: sql, values: [t.chainId, from.toString(), to.toString(), t[contract]] });
  }
}

const BUCKETS = `(VALUES ('local'), ('national'), ('global')) AS k(b)`;
const BUCKET_OF = `(ARRAY['local', 'national', 'global'])[(args->>'bucket')::int + 1]`;

// Each statement undoes, in one derived table, what the chain_events rows above block $2 added:
// `gone` sums their contributions per key and subtracts it; `kept` finds, for those keys only, the
// last block at or below $2 that still contributes (the row's block_number in a fresh index); a key
// with nothing left is deleted, as a fresh index would never have created it. $1 chain, $3 contract.
const UNDO: [keyof Omit<DeriveTargets, 'chainId'>, string][] = [
  ['token', `WITH gone AS (
     SELECT addr, sum(delta) AS delta FROM (
       SELECT args->>'to' AS addr, (args->>'value')::numeric AS delta FROM chain_events
        WHERE chain_id = $1 AND block_number > $2 AND contract = $3 AND event_name = 'Transfer'
       UNION ALL
       SELECT args->>'from', -(args->>'value')::numeric FROM chain_events
        WHERE chain_id = $1 AND block_number > $2 AND contract = $3 AND event_name = 'Transfer'
     ) t WHERE addr <> '${ZERO}' GROUP BY addr
   ), kept AS (
     SELECT addr, max(bn) AS bn FROM (
       SELECT args->>'to' AS addr, block_number AS bn FROM chain_events
        WHERE chain_id = $1 AND block_number <= $2 AND contract = $3 AND event_name = 'Transfer' AND args->>'to' IN (SELECT addr FROM gone)
       UNION ALL
       SELECT args->>'from', block_number FROM chain_events
        WHERE chain_id = $1 AND block_number <= $2 AND contract = $3 AND event_name = 'Transfer' AND args->>'from' IN (SELECT addr FROM gone)
     ) t GROUP BY addr
   ), dropped AS (
     DELETE FROM token_balances b USING gone WHERE b.address = gone.addr AND gone.addr NOT IN (SELECT addr FROM kept)
   )
   UPDATE token_balances b SET balance = b.balance - gone.delta, block_number = kept.bn
     FROM gone JOIN kept USING (addr) WHERE b.address = gone.addr`],
  ['pool', `WITH gone AS (
     SELECT b, sum(f) AS f, sum(d) AS d FROM (
       SELECT k.b, (e.args->>k.b)::numeric AS f, 0::numeric AS d FROM chain_events e CROSS JOIN ${BUCKETS}
        WHERE e.chain_id = $1 AND e.block_number > $2 AND e.contract = $3 AND e.event_name = 'Funded'
       UNION ALL
       SELECT ${BUCKET_OF}, 0, (args->>'amount')::numeric FROM chain_events
        WHERE chain_id = $1 AND block_number > $2 AND contract = $3 AND event_name = 'Disbursed'
     ) t GROUP BY b
   ), kept AS (
     SELECT b, max(bn) AS bn FROM (
       SELECT k.b, e.block_number AS bn FROM chain_events e CROSS JOIN ${BUCKETS}
        WHERE e.chain_id = $1 AND e.block_number <= $2 AND e.contract = $3 AND e.event_name = 'Funded'
       UNION ALL
       SELECT ${BUCKET_OF}, block_number FROM chain_events
        WHERE chain_id = $1 AND block_number <= $2 AND contract = $3 AND event_name = 'Disbursed'
     ) t GROUP BY b
   ), dropped AS (
     DELETE FROM pool_bucket_balances p USING gone WHERE p.bucket::text = gone.b AND gone.b NOT IN (SELECT b FROM kept)
   )
   UPDATE pool_bucket_balances p SET funded = p.funded - gone.f, disbursed = p.disbursed - gone.d, block_number = kept.bn
     FROM gone JOIN kept USING (b) WHERE p.bucket::text = gone.b`],
  ['pool', `WITH gone AS (
     SELECT args->>'sponsor' AS sponsor, args->>'campaignId' AS campaign, sum((args->>'amount')::numeric) AS amount, count(*)::int AS deposits
       FROM chain_events WHERE chain_id = $1 AND block_number > $2 AND contract = $3 AND event_name = 'Funded'
      GROUP BY 1, 2
   ), kept AS (
     SELECT args->>'sponsor' AS sponsor, args->>'campaignId' AS campaign, max(block_number) AS bn
       FROM chain_events WHERE chain_id = $1 AND block_number <= $2 AND contract = $3 AND event_name = 'Funded'
        AND (args->>'sponsor', args->>'campaignId') IN (SELECT sponsor, campaign FROM gone)
      GROUP BY 1, 2
   ), dropped AS (
     DELETE FROM sponsor_funding s USING gone WHERE s.chain_id = $1 AND s.sponsor = gone.sponsor AND s.campaign_id = gone.campaign
        AND NOT EXISTS (SELECT 1 FROM kept WHERE kept.sponsor = gone.sponsor AND kept.campaign = gone.campaign)
   )
   UPDATE sponsor_funding s SET amount = s.amount - gone.amount, deposits = s.deposits - gone.deposits, block_number = kept.bn
     FROM gone JOIN kept USING (sponsor, campaign) WHERE s.chain_id = $1 AND s.sponsor = gone.sponsor AND s.campaign_id = gone.campaign`],
];

/**
 * Undoes every mirrored row above `ancestor` and, from those rows before they go, every derived
 * value they produced (see UNDO). Runs inside the caller's transaction.
 */
export async function rollbackAbove(client: pg.ClientBase, t: DeriveTargets, ancestor: bigint): Promise<number> {
  const a = ancestor.toString();
  for (const [contract, sql] of UNDO) await client.query(sql, [t.chainId, a, t[contract]]);
  await client.query('DELETE FROM chain_epochs WHERE chain_id = $1 AND block_number > $2', [t.chainId, a]);
  await client.query('DELETE FROM chain_redemptions WHERE chain_id = $1 AND block_number > $2', [t.chainId, a]);
  await client.query('DELETE FROM chain_blocks WHERE chain_id = $1 AND number > $2', [t.chainId, a]);
  const removed = await client.query('DELETE FROM chain_events WHERE chain_id = $1 AND block_number > $2', [t.chainId, a]);
  return removed.rowCount ?? 0;
}
