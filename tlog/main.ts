// The tiled-log sequencer: `npm run tlog`. Publishes the ledger as a tiled log
// (tiles, entry bundles, signed checkpoint; see publisher.ts) once at start and
// then every TLOG_PUBLISH_INTERVAL_MS. A failed run (S3 or Postgres down) is
// logged and retried at the next tick; SIGINT/SIGTERM let the current run finish,
// then close the pool and storage and exit 0. Several instances are safe: runs
// serialize on publishLog's advisory lock.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { loadTlogConfig } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { Storage } from '../lib/storage.ts';
import { publishLog, signerFromConfig } from './publisher.ts';

async function main(): Promise<number> {
  const config = loadTlogConfig();
  const logger = createLogger('tlog', config.LOG_LEVEL);
  const signer = await signerFromConfig(config);
  const stop = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      logger.info({ signal: sig }, 'stopping after the current run');
      stop.abort();
    });
  }

  const storage = new Storage(config);
  // publishLog holds one connection for its advisory lock and queries on another.
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 3, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', (err) => logger.warn({ err }, 'idle database connection failed'));
  const interval = config.TLOG_PUBLISH_INTERVAL_MS;
  logger.info({ bucket: storage.bucket, origin: config.TLOG_ORIGIN, vkey: signer.vkey, intervalMs: interval }, 'tlog sequencer started');

  let bucketReady = false;
  try {
    let next = Date.now();
    while (!stop.signal.aborted) {
      next += interval;
      try {
        if (!bucketReady) {
          await storage.ensureBucket();
          bucketReady = true;
        }
        const started = Date.now();
        const r = await publishLog({ pool, storage, signer, origin: config.TLOG_ORIGIN });
        logger.info({ size: r.size, previousSize: r.previousSize, objectsWritten: r.objectsWritten, ms: Date.now() - started }, 'published');
      } catch (err) {
        logger.error({ err, retryInMs: Math.max(0, next - Date.now()) }, 'publish failed; retrying at the next tick');
      }
      // Fixed cadence; a run longer than the interval starts the next one right away.
      if (next < Date.now()) next = Date.now();
      await sleep(next - Date.now(), undefined, { signal: stop.signal }).catch(() => undefined);
    }
    logger.info('tlog sequencer stopped');
    return 0;
  } finally {
    await pool.end().catch((err: unknown) => logger.warn({ err }, 'closing the database pool failed'));
    storage.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    createLogger('tlog').fatal({ err }, `tlog sequencer cannot start: ${(err as Error).message}`);
    process.exit(1);
  },
);
