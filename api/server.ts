// The API process: validated config → dependencies → app → listen; stops cleanly on SIGINT/SIGTERM.
import { ConfigError, loadConfig } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { buildApp } from './app.ts';
import { createDeps } from './deps.ts';
import { startImpactWorker } from './impact/worker.ts';
import { startNotificationWorkers } from './notifications/workers.ts';
import { verifyQueue } from './proofs/queue.ts';
import { startMarketSweeper } from './rewards/sweeper.ts';
import { startRequeueSweeper } from '../lib/verify-requeue.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`[api] ${err.message}`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}
const logger = createLogger('api', config.LOG_LEVEL);
const deps = createDeps(config);
const app = await buildApp(deps, logger);
await app.listen({ host: config.HOST, port: config.PORT });
const impactWorker = startImpactWorker(deps);
const notificationWorkers = await startNotificationWorkers(deps, logger);
const marketSweeper = startMarketSweeper(deps, (err) => logger.warn({ err }, 'market sweep failed'));
const requeueQueue = verifyQueue(deps);
const requeueSweeper = startRequeueSweeper(deps.db, requeueQueue, (err) => logger.warn({ err }, 'verify re-enqueue sweep failed'));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await impactWorker.close();
    await notificationWorkers.close();
    await marketSweeper.close();
    await requeueSweeper.close();
    await requeueQueue.close();
    await app.close();
    await deps.close();
    process.exit(0);
  });
}
