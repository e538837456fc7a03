// Ledger status webhooks: entries move verified → in-log → anchored → final one epoch at a time,
// so each transition is announced per epoch (the range of seqs it covers) to every 'ledger'
// subscription for all entries, or for one entry inside that range.
import type { Queue } from 'bullmq';
import type pg from 'pg';
import type { PublicClient } from 'viem';
import type { NotifyDeliveryJobData } from '../../lib/queues.ts';
import { LEDGER_FINALITY_DEPTH } from '../routes/ledger.ts';
import { deliveryJobOptions } from './jobs.ts';

interface EpochRow { epoch: number; status: string; from_seq: string; to_seq: string; tx: string | null; block: string | null }

/**
 * One pass: for every epoch and every status it has reached, a webhook_deliveries row per matching
 * subscription (unique per subscription and event, so passes repeat nothing and a late subscriber
 * to an old entry still learns its current status), then their jobs. Returns the deliveries created.
 */
export async function announceLedgerStatus(o: {
  pool: pg.Pool; chain: PublicClient; queue: Queue<NotifyDeliveryJobData>; attempts: number; backoffMs: number;
}): Promise<number> {
  const subscribed = (await o.pool.query(`SELECT 1 FROM webhook_subscriptions WHERE topic = 'ledger' AND disabled_at IS NULL LIMIT 1`)).rowCount;
  if (!subscribed) return 0;
  const chainId = await o.chain.getChainId();
  const head = await o.chain.getBlockNumber({ cacheTime: 0 });
  const epochs = (await o.pool.query<EpochRow>(
    `SELECT e.epoch, e.status::text AS status, COALESCE(p.tree_size, 0)::text AS from_seq, (e.tree_size - 1)::text AS to_seq,
            COALESCE(trim(e.anchor_tx_hash), c.tx_hash) AS tx, COALESCE(e.anchor_block, c.block_number)::text AS block
       FROM epochs e LEFT JOIN epochs p ON p.epoch = e.epoch - 1 LEFT JOIN chain_epochs c ON c.chain_id = $1 AND c.epoch = e.epoch
      WHERE e.tree_size > COALESCE(p.tree_size, 0) ORDER BY e.epoch`, [chainId])).rows;
  const ids: string[] = [];
  for (const e of epochs) {
    const reached = ['in-log'];
    if (e.status === 'anchored') reached.push('anchored');
    if (e.status === 'anchored' && e.block !== null && head - BigInt(e.block) >= BigInt(LEDGER_FINALITY_DEPTH)) reached.push('final');
    for (const status of reached) {
      const r = await o.pool.query<{ id: string }>(
        `INSERT INTO webhook_deliveries (id, subscription_id, event_key, event_type, payload)
         SELECT gen_random_uuid(), s.id, 'ledger:' || $1::text || ':' || $2, 'ledger.entry.' || $2,
                jsonb_build_object('status', $2, 'epoch', $1::int, 'fromSeq', $3::text, 'toSeq', $4::text, 'seq', s.entry_seq::text,
                                   'anchorTxHash', CASE WHEN $2 = 'in-log' THEN NULL ELSE $5 END, 'anchorBlock', CASE WHEN $2 = 'in-log' THEN NULL ELSE $6 END)
           FROM webhook_subscriptions s
          WHERE s.topic = 'ledger' AND s.disabled_at IS NULL AND (s.entry_seq IS NULL OR s.entry_seq BETWEEN $3::bigint AND $4::bigint)
         ON CONFLICT (subscription_id, event_key) DO NOTHING RETURNING id::text`,
        [e.epoch, status, e.from_seq, e.to_seq, e.tx, e.block]);
      ids.push(...r.rows.map((x) => x.id));
    }
  }
  if (ids.length) {
    await o.queue.addBulk(ids.map((id) => ({ name: 'webhook', data: { channel: 'webhook' as const, deliveryId: id }, opts: deliveryJobOptions(`webhook-${id}`, o.attempts, o.backoffMs) })));
  }
  return ids.length;
}
