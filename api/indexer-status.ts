import type { Db } from '../lib/db.ts';

/** The chain mirror's freshness, as the indexer last reported it (see indexer/run.ts). */
export interface IndexerStatusView {
  chainId: number;
  /** Chain head the indexer last saw. */
  head: number;
  /** Last block mirrored (the indexer's checkpoint). */
  indexedBlock: number;
  /** head − indexedBlock, in blocks. */
  lag: number;
  /** Events mirrored per second over the indexer's last minute. */
  eventsPerSecond: number;
  reorgs: number;
  /** When the indexer last reported; a stale time means it is not running. */
  updatedAt: string;
  ageSeconds: number;
}

/** Read from indexer_status and indexer_checkpoints; null before an indexer has reported. */
export async function indexerStatus(db: Db): Promise<IndexerStatusView | null> {
  const rows = await db.$queryRaw<
    { chain_id: number; head_block: bigint; block_number: bigint; events_per_second: number; reorgs: number; updated_at: Date; age: number }[]
  >`SELECT s.chain_id, s.head_block, c.block_number, s.events_per_second, s.reorgs, s.updated_at,
           extract(epoch FROM now() - s.updated_at)::float8 AS age
      FROM indexer_status s JOIN indexer_checkpoints c ON c.name = s.name
     ORDER BY s.updated_at DESC LIMIT 1`;
  const r = rows[0];
  if (!r) return null;
  const head = Number(r.head_block);
  const indexedBlock = Number(r.block_number);
  return {
    chainId: r.chain_id,
    head,
    indexedBlock,
    lag: Math.max(head - indexedBlock, 0),
    eventsPerSecond: r.events_per_second,
    reorgs: r.reorgs,
    updatedAt: r.updated_at.toISOString(),
    ageSeconds: Math.max(r.age, 0),
  };
}

/** JSON schema of `IndexerStatusView | null` for route responses. */
export const indexerStatusSchema = {
  type: ['object', 'null'],
  required: ['chainId', 'head', 'indexedBlock', 'lag', 'eventsPerSecond', 'reorgs', 'updatedAt', 'ageSeconds'],
  properties: {
    chainId: { type: 'integer' },
    head: { type: 'integer' },
    indexedBlock: { type: 'integer' },
    lag: { type: 'integer' },
    eventsPerSecond: { type: 'number' },
    reorgs: { type: 'integer' },
    updatedAt: { type: 'string', format: 'date-time' },
    ageSeconds: { type: 'number' },
  },
} as const;
