// The chain → Postgres mirror: `npm run indexer`. One instance per chain (advisory lock; a second waits).
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createPublicClient, http } from 'viem';
import { createChainReader, loadDeployments } from '../lib/chain.ts';
import { loadIndexerConfig } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { NonRetryableError, isNonRetryable } from './errors.ts';
import { acquireChainLock } from './store.ts';
import { Indexer } from './sync.ts';

const MAX_BACKOFF_MS = 30_000;

async function main(): Promise<number> {
  const config = loadIndexerConfig();
  const logger = createLogger('indexer', config.LOG_LEVEL);
  const client = createChainReader(config.RPC_URL);
  const chainId = await client.getChainId();
  const deployments = await loadDeployments(config.DEPLOYMENTS_DIR, chainId);
  if (!deployments) throw new NonRetryableError(`no deployment for chain ${chainId} in ${config.DEPLOYMENTS_DIR}`);

  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());

  logger.info({ chainId }, 'waiting for the indexer lock of this chain');
  const lock = await acquireChainLock(config.DATABASE_URL, chainId);
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.INDEXER_CONCURRENCY + 2 });
  const indexer = new Indexer({
    client,
    logsClient: config.RPC_URL.startsWith('http') ? createPublicClient({ transport: http(config.RPC_URL, { retryCount: 3 }) }) : client,
    pool,
    deployments,
    confirmations: config.INDEXER_CONFIRMATIONS,
    finalityDepth: config.INDEXER_FINALITY_DEPTH,
    maxBlockRange: config.INDEXER_MAX_BLOCK_RANGE,
    concurrency: config.INDEXER_CONCURRENCY,
    logger,
  });
  logger.info({ chainId, confirmations: config.INDEXER_CONFIRMATIONS, finalityDepth: config.INDEXER_FINALITY_DEPTH }, 'indexer started');
  let backoff = config.INDEXER_POLL_MS;
  let lastReport = 0;
  try {
    while (!stop.signal.aborted) {
      try {
        const advanced = await indexer.syncOnce();
        backoff = config.INDEXER_POLL_MS;
        if (Date.now() - lastReport > 10_000) {
          const s = indexer.status();
          logger.info({ head: s.head?.toString(), indexed: s.indexedBlock?.toString(), lag: s.lag?.toString(), eventsPerSecond: Math.round(s.eventsPerSecond) }, 'progress');
          lastReport = Date.now();
        }
        if (!advanced) await sleep(config.INDEXER_POLL_MS, undefined, { signal: stop.signal }).catch(() => undefined);
      } catch (err) {
        if (isNonRetryable(err)) throw err;
        logger.warn({ err, retryInMs: backoff }, 'indexer step failed; retrying');
        await sleep(backoff, undefined, { signal: stop.signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    logger.info('indexer stopped');
    return 0;
  } finally {
    await pool.end();
    await lock.release();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const fatal = isNonRetryable(err);
    createLogger('indexer').fatal({ err }, fatal ? `indexer cannot continue: ${(err as Error).message}` : 'indexer crashed');
    process.exit(1);
  },
);
