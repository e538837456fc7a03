import { Redis } from 'ioredis';
import { createLogger, type Logger } from './logger.ts';

export type { Redis };

let defaultLogger: Logger | undefined;

/**
 * An ioredis connection. `maxRetriesPerRequest: null` is what BullMQ workers
 * require; commands wait for a reconnect instead of failing mid-job.
 *
 * Every connection has an 'error' listener: ioredis reconnects on its own, so a
 * Redis restart is logged (once per outage, on `logger`) and never crashes the
 * process. BullMQ queues and workers on the connection add their own listener.
 */
export function createRedis(url: string, options: { forWorkers?: boolean; logger?: Logger } = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: options.forWorkers ? null : 3,
    enableReadyCheck: true,
    lazyConnect: false,
  });
  watchErrors(redis, options.logger);
  return redis;
}

/** Logs the first error of each outage (until the connection is ready again); the listener keeps ioredis errors from going unhandled. */
function watchErrors(redis: Redis, logger?: Logger): void {
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    (logger ?? (defaultLogger ??= createLogger('redis'))).warn({ err: err.message }, 'redis connection error; reconnecting');
  });
  redis.on('ready', () => {
    down = false;
  });
}
