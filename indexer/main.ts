// The chain → Postgres mirror: `npm run indexer`. One instance per chain (advisory lock; a second waits).
import pg from 'pg';
import { createPublicClient, http } from 'viem';
import { createChainReader, loadDeployments } from '../lib/chain.ts';
import { loadIndexerConfig } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { NonRetryableError, isRetryable } from './errors.ts';
import { runIndexer } from './run.ts';
import { Indexer } from './sync.ts';

const config = loadIndexerConfig();
const logger = createLogger('indexer', config.LOG_LEVEL);

async function main(): Promise<void> {
  const client = createChainReader(config.RPC_URL);
  const chainId = await client.getChainId();
  const deployments = await loadDeployments(config.DEPLOYMENTS_DIR, chainId);
  if (!deployments) throw new NonRetryableError(`no deployment for chain ${chainId} in ${config.DEPLOYMENTS_DIR}`);

  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());

  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.INDEXER_CONCURRENCY + 2 });
  // an idle connection dropped by a restarting Postgres: the next query reconnects
  pool.on('error', (err) => logger.warn({ err }, 'idle database connection lost'));
  const indexer = new Indexer({
    client,
    // one retry only: an oversized range that timed out is better split (LogFetcher) than asked again
    logsClient: config.RPC_URL.startsWith('http') ? createPublicClient({ transport: http(config.RPC_URL, { retryCount: 1 }) }) : client,
    pool,
    deployments,
    confirmations: config.INDEXER_CONFIRMATIONS,
    finalityDepth: config.INDEXER_FINALITY_DEPTH,
    maxBlockRange: config.INDEXER_MAX_BLOCK_RANGE,
    concurrency: config.INDEXER_CONCURRENCY,
    logger,
  });
  logger.info({ chainId, confirmations: config.INDEXER_CONFIRMATIONS, finalityDepth: config.INDEXER_FINALITY_DEPTH }, 'indexer started');
  try {
    await runIndexer(indexer, { databaseUrl: config.DATABASE_URL, pollMs: config.INDEXER_POLL_MS, signal: stop.signal, logger });
    logger.info('indexer stopped');
  } finally {
    await pool.end();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    const fatal = !isRetryable(err);
    logger.fatal({ err }, fatal ? `indexer cannot continue: ${(err as Error).message}` : 'indexer crashed');
    process.exit(1);
  },
);
