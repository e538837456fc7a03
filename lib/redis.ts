import { Redis } from 'ioredis';

export type { Redis };

/**
 * An ioredis connection. `maxRetriesPerRequest: null` is what BullMQ workers
 * require; commands wait for a reconnect instead of failing mid-job.
 */
export function createRedis(url: string, options: { forWorkers?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: options.forWorkers ? null : 3,
    enableReadyCheck: true,
    lazyConnect: false,
  });
}
