// The notification workers of an API process: the outbox dispatcher and the outbound delivery worker.
import { Queue } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import { NOTIFY_DELIVERY_QUEUE, type NotifyDeliveryJobData } from '../../lib/queues.ts';
import { createRedis } from '../../lib/redis.ts';
import type { Deps } from '../deps.ts';
import { startDeliveryWorker, type DeliveryWorker } from './deliveries.ts';
import { startDispatcher, type Dispatcher } from './dispatcher.ts';
import { announceLedgerStatus } from './ledger-watch.ts';
import { logTransport } from './transports/log.ts';
import type { Transport } from './transports/types.ts';
import { webhookTransport } from './transports/webhook.ts';

export interface NotificationWorkers {
  dispatcher: Dispatcher;
  deliveries: DeliveryWorker;
  queue: Queue<NotifyDeliveryJobData>;
  close(): Promise<void>;
}

/** The transports of this build: signed webhooks for real; e-mail, push and SMS are DEV-ONLY loggers. */
export function defaultTransports(deps: Deps, logger: FastifyBaseLogger): Transport[] {
  return [
    webhookTransport({ timeoutMs: deps.config.NOTIFY_WEBHOOK_TIMEOUT_MS }),
    logTransport('email', logger),
    logTransport('push', logger),
    logTransport('sms', logger),
  ];
}

export async function startNotificationWorkers(deps: Deps, logger: FastifyBaseLogger, transports = defaultTransports(deps, logger)): Promise<NotificationWorkers> {
  const { config, pool } = deps;
  const connection = createRedis(config.REDIS_URL, { forWorkers: true });
  const onError = (err: unknown) => logger.error({ err }, 'notifications');
  const queue = new Queue<NotifyDeliveryJobData>(NOTIFY_DELIVERY_QUEUE, { connection, prefix: config.VERIFIER_QUEUE_PREFIX });
  const deliveries = startDeliveryWorker({ pool, connection, prefix: config.VERIFIER_QUEUE_PREFIX, transports, onError });
  const dispatcher = await startDispatcher({
    databaseUrl: config.DATABASE_URL, pool, redis: deps.redis, redisPrefix: config.REDIS_PREFIX, queue,
    attempts: config.NOTIFY_ATTEMPTS, backoffMs: config.NOTIFY_BACKOFF_MS, sweepMs: config.NOTIFY_SWEEP_MS, onError,
  });
  // Ledger status webhooks: one pass per sweep interval, never two at once.
  let watching: Promise<unknown> | null = null;
  const watch = () => {
    watching ??= announceLedgerStatus({ pool, chain: deps.chain, queue, attempts: config.NOTIFY_ATTEMPTS, backoffMs: config.NOTIFY_BACKOFF_MS })
      .catch(onError)
      .finally(() => (watching = null));
  };
  const ledgerTimer = setInterval(watch, config.NOTIFY_SWEEP_MS);
  return {
    dispatcher,
    deliveries,
    queue,
    async close() {
      clearInterval(ledgerTimer);
      await watching;
      await dispatcher.close();
      await deliveries.close();
      await queue.close();
      await connection.quit().catch(() => undefined);
    },
  };
}
