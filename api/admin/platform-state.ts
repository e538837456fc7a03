// Cheap reads of platform state shared by GET /api/admin/dashboard and /metrics:
// each is one index lookup or a tiny table, safe to run on every scrape.
import type { Queue } from 'bullmq';
import type { PublicClient } from 'viem';
import { sqlRows, type SqlExecutor } from '../../lib/ledger-store.ts';

/** Entries in the ledger: seq is gapless from 0, so max(seq) + 1 (an index lookup, not a count). */
export async function ledgerSize(sql: SqlExecutor): Promise<number> {
  const r = (await sqlRows(sql, 'SELECT coalesce(max(seq) + 1, 0)::text AS n FROM ledger_entries'))[0];
  return Number(r?.n ?? 0);
}

export interface EpochState {
  epoch: number;
  month: string;
  status: string;
  treeSize: string;
  anchorTxHash: string | null;
  anchoredAt: string | null;
}

export async function latestEpoch(sql: SqlExecutor): Promise<EpochState | null> {
  const r = (await sqlRows(sql,
    `SELECT epoch, month, status::text AS status, tree_size::text AS tree_size, anchor_tx_hash, anchored_at FROM epochs ORDER BY epoch DESC LIMIT 1`))[0];
  if (!r) return null;
  return {
    epoch: Number(r.epoch), month: String(r.month), status: String(r.status), treeSize: String(r.tree_size),
    anchorTxHash: (r.anchor_tx_hash as string | null) ?? null, anchoredAt: r.anchored_at ? (r.anchored_at as Date).toISOString() : null,
  };
}

/** Epoch counts per status (every status present, 0 when none). */
export async function epochsByStatus(sql: SqlExecutor): Promise<Record<string, number>> {
  const rows = await sqlRows(sql,
    `SELECT s.status::text AS status, count(e.epoch)::int AS n FROM unnest(enum_range(NULL::"EpochStatus")) AS s(status)
       LEFT JOIN epochs e ON e.status = s.status GROUP BY s.status`);
  return Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
}

export interface IndexerState {
  block: number | null;
  head: number | null;
  lagBlocks: number | null;
}

/** The indexer's last mirrored block, the chain head and the difference (null parts when unknown or unreachable). */
export async function indexerState(sql: SqlExecutor, chain: PublicClient): Promise<IndexerState> {
  const [headOrNull, row] = await Promise.all([
    chain.getBlockNumber({ cacheTime: 0 }).then(Number, () => null),
    sqlRows(sql, 'SELECT max(block_number)::text AS b FROM indexer_checkpoints'),
  ]);
  const block = row[0]?.b === null || row[0]?.b === undefined ? null : Number(row[0].b);
  return { block, head: headOrNull, lagBlocks: block === null || headOrNull === null ? null : headOrNull - block };
}

export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Jobs per state of each queue. */
export async function queueDepths(queues: readonly Queue[]): Promise<Record<string, Record<string, number>>> {
  const entries = await Promise.all(queues.map(async (q) => [q.name, await q.getJobCounts(...QUEUE_STATES)] as const));
  return Object.fromEntries(entries);
}
