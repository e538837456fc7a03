import pg from 'pg';
import { inTransaction } from '../lib/transaction.ts';
import type { Hex } from 'viem';
import type { EventRow } from './decode.ts';
import { applyDerived, rollbackAbove, type DeriveTargets } from './derive.ts';
import { notifyAnchoredEpochs, notifyFulfilledRedemptions } from './notify.ts';

export interface BlockRef {
  number: bigint;
  hash: Hex;
  parentHash: Hex;
  timestamp: bigint;
}

export interface Checkpoint {
  blockNumber: bigint;
  blockHash: Hex;
}

/** What one committed batch covers: blocks (from, to], their logs, the headers kept for reorg detection. */
export interface Batch {
  from: bigint;
  to: BlockRef;
  rows: EventRow[];
  blocks: BlockRef[];
}

export const checkpointName = (chainId: number) => `indexer:${chainId}`;

export class Store {
  constructor(
    readonly pool: pg.Pool,
    readonly targets: DeriveTargets,
    readonly finalityDepth: number,
  ) {}

  get chainId() {
    return this.targets.chainId;
  }

  async checkpoint(): Promise<Checkpoint | null> {
    const r = await this.pool.query<{ block_number: string; block_hash: string }>(
      'SELECT block_number, block_hash FROM indexer_checkpoints WHERE name = $1',
      [checkpointName(this.chainId)],
    );
    const row = r.rows[0];
    return row ? { blockNumber: BigInt(row.block_number), blockHash: row.block_hash as Hex } : null;
  }

  /** Stored hash of an unfinalized block, or null when it is not (or no longer) kept. */
  async blockHash(number: bigint): Promise<Hex | null> {
    const r = await this.pool.query<{ hash: string }>('SELECT hash FROM chain_blocks WHERE chain_id = $1 AND number = $2', [
      this.chainId,
      number.toString(),
    ]);
    return (r.rows[0]?.hash as Hex | undefined) ?? null;
  }

  /** Writes a batch's rows, headers, derived deltas and the checkpoint in one transaction. */
  async commit(batch: Batch): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      const { rows } = batch;
      if (rows.length) {
        await c.query(
          `INSERT INTO chain_events (chain_id, block_number, block_hash, tx_hash, log_index, contract, event_name, args)
           SELECT $1, * FROM unnest($2::bigint[], $3::char(66)[], $4::char(66)[], $5::int[], $6::char(42)[], $7::text[], $8::jsonb[])
           ON CONFLICT DO NOTHING`,
          [
            this.chainId,
            rows.map((r) => r.blockNumber.toString()),
            rows.map((r) => r.blockHash),
            rows.map((r) => r.txHash),
            rows.map((r) => r.logIndex),
            rows.map((r) => r.contract),
            rows.map((r) => r.eventName),
            rows.map((r) => JSON.stringify(r.args)),
          ],
        );
        await applyDerived(c, this.targets, batch.from + 1n, batch.to.number);
        await notifyAnchoredEpochs(c, this.chainId, batch.from + 1n, batch.to.number);
        await notifyFulfilledRedemptions(c, this.chainId, batch.from + 1n, batch.to.number);
      }
      const blocks = batch.blocks.some((b) => b.number === batch.to.number) ? batch.blocks : [...batch.blocks, batch.to];
      await c.query(
        `INSERT INTO chain_blocks (chain_id, number, hash, parent_hash, timestamp)
         SELECT $1, n, h, p, to_timestamp(t) FROM unnest($2::bigint[], $3::char(66)[], $4::char(66)[], $5::bigint[]) AS u(n, h, p, t)
         ON CONFLICT (chain_id, number) DO UPDATE SET hash = EXCLUDED.hash, parent_hash = EXCLUDED.parent_hash, timestamp = EXCLUDED.timestamp`,
        [
          this.chainId,
          blocks.map((b) => b.number.toString()),
          blocks.map((b) => b.hash),
          blocks.map((b) => b.parentHash),
          blocks.map((b) => b.timestamp.toString()),
        ],
      );
      await this.saveCheckpoint(c, batch.to.number, batch.to.hash);
      const keepFrom = batch.to.number - BigInt(this.finalityDepth);
      await c.query('DELETE FROM chain_blocks WHERE chain_id = $1 AND number < $2', [this.chainId, keepFrom.toString()]);
    });
  }

  /** Undoes everything above `ancestor` and moves the checkpoint there, in one transaction. */
  async rollback(ancestor: bigint, ancestorHash: Hex): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      const removed = await rollbackAbove(c, this.targets, ancestor);
      await this.saveCheckpoint(c, ancestor, ancestorHash);
      return removed;
    });
  }

  /** Publishes the progress the API shows (see IndexerStatus); the indexed block is the checkpoint. */
  async saveStatus(status: { head: bigint | null; eventsPerSecond: number; reorgs: number }): Promise<void> {
    if (status.head === null) return;
    await this.pool.query(
      `INSERT INTO indexer_status (name, chain_id, head_block, events_per_second, reorgs, updated_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (name) DO UPDATE SET head_block = EXCLUDED.head_block, events_per_second = EXCLUDED.events_per_second,
         reorgs = EXCLUDED.reorgs, updated_at = now()`,
      [checkpointName(this.chainId), this.chainId, status.head.toString(), status.eventsPerSecond, status.reorgs],
    );
  }

  private async saveCheckpoint(c: pg.ClientBase, number: bigint, hash: Hex) {
    await c.query(
      `INSERT INTO indexer_checkpoints (name, chain_id, block_number, block_hash, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (name) DO UPDATE SET block_number = EXCLUDED.block_number, block_hash = EXCLUDED.block_hash, updated_at = now()`,
      [checkpointName(this.chainId), this.chainId, number.toString(), hash],
    );
  }
}

export interface ChainLock {
  /** True once the lock's connection died (Postgres restarted or unreachable): the lock is no longer held. */
  readonly lost: boolean;
  release(): Promise<void>;
}

/**
 * Holds a session-level advisory lock for this chain until `release` (or until its connection dies,
 * see `lost`); a second indexer on the same database waits here until the first one exits.
 * Aborting `signal` gives up waiting.
 */
export async function acquireChainLock(databaseUrl: string, chainId: number, signal?: AbortSignal): Promise<ChainLock> {
  const client = new pg.Client({ connectionString: databaseUrl });
  let lost = false;
  client.on('error', () => {
    lost = true;
  });
  client.on('end', () => {
    lost = true;
  });
  const abort = () => void client.end().catch(() => undefined);
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await client.connect();
    await client.query(`SELECT pg_advisory_lock(hashtext('oneheart-indexer'), $1)`, [chainId]);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
  return {
    get lost() {
      return lost;
    },
    async release() {
      if (!lost) await client.query(`SELECT pg_advisory_unlock(hashtext('oneheart-indexer'), $1)`, [chainId]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

/**
 * Forgets everything mirrored from `chainId`. Only for a chain that was
 * restarted from genesis (the embedded dev chain of `npm start`): its old
 * blocks no longer exist, so the mirror must be rebuilt from scratch.
 */
export async function resetChainMirror(databaseUrl: string, chainId: number): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query('BEGIN');
    for (const table of ['chain_events', 'chain_blocks', 'chain_epochs', 'chain_redemptions', 'sponsor_funding']) {
      await c.query(`DELETE FROM ${table} WHERE chain_id = $1`, [chainId]);
    }
    // Single-chain derived tables (no chain_id column).
    await c.query('DELETE FROM token_balances');
    await c.query('DELETE FROM pool_bucket_balances');
    await c.query('DELETE FROM indexer_checkpoints WHERE name = $1', [checkpointName(chainId)]);
    await c.query('DELETE FROM indexer_status WHERE name = $1', [checkpointName(chainId)]);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await c.end();
  }
}
