import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../lib/logger.ts';
import { isRetryable } from './errors.ts';
import { acquireChainLock, type ChainLock } from './store.ts';
import type { Indexer } from './sync.ts';

const MAX_BACKOFF_MS = 30_000;
const STATUS_EVERY_MS = 1_000;
const PROGRESS_EVERY_MS = 10_000;

export interface RunOptions {
  databaseUrl: string;
  /** Head polling interval once caught up; also the first retry delay. */
  pollMs: number;
  signal: AbortSignal;
  logger: Logger;
}

/**
 * Runs `indexer` until `signal` aborts. Holds the chain's advisory lock while it works (waiting for
 * it — a second instance waits here — and taking it again when its connection dies), steps towards
 * the head, publishes its status for the API, and retries retryable failures (RPC faults, Postgres
 * unavailable) with exponential backoff. A non-retryable failure is rethrown: the caller must stop.
 */
export async function runIndexer(indexer: Indexer, o: RunOptions): Promise<void> {
  const chainId = indexer.store.chainId;
  const pause = (ms: number) => sleep(ms, undefined, { signal: o.signal }).catch(() => undefined);
  let lock: ChainLock | null = null;
  let backoff = o.pollMs;
  let lastProgress = 0;
  // on a timer, not per step: one backfill step can run for minutes
  const publisher = setInterval(() => void indexer.store.saveStatus(indexer.status()).catch(() => undefined), STATUS_EVERY_MS);
  try {
    while (!o.signal.aborted) {
      try {
        if (!lock || lock.lost) {
          if (lock) o.logger.warn({ chainId }, 'lost the indexer lock with its database connection; taking it again');
          await lock?.release();
          lock = null;
          o.logger.info({ chainId }, 'waiting for the indexer lock of this chain');
          lock = await acquireChainLock(o.databaseUrl, chainId, o.signal);
          o.logger.info({ chainId }, 'indexer lock held');
        }
        const advanced = await indexer.syncOnce();
        backoff = o.pollMs;
        const now = Date.now();
        if (now - lastProgress >= PROGRESS_EVERY_MS) {
          const s = indexer.status();
          o.logger.info({ head: s.head?.toString(), indexed: s.indexedBlock?.toString(), lag: s.lag?.toString(), eventsPerSecond: Math.round(s.eventsPerSecond) }, 'progress');
          lastProgress = now;
        }
        if (!advanced) await pause(o.pollMs);
      } catch (err) {
        if (o.signal.aborted) break;
        if (!isRetryable(err)) throw err;
        o.logger.warn({ err, retryInMs: backoff }, 'indexer step failed; retrying');
        await pause(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  } finally {
    clearInterval(publisher);
    await lock?.release();
  }
}
