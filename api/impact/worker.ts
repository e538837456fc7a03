// The consumer of apply-impact: the verifier enqueues approved actions; this applies them.
import { Worker } from 'bullmq';
import { IMPACT_QUEUE, type ImpactJobData } from '../../lib/queues.ts';
import { createRedis } from '../../lib/redis.ts';
import { Leaderboard } from './leaderboard.ts';
import type { Deps } from '../deps.ts';
import { applyImpact } from './engine.ts';

export interface ImpactWorker {
  worker: Worker<ImpactJobData>;
  close(): Promise<void>;
}

/** Starts a BullMQ worker on IMPACT_QUEUE; each job applies the impact of one action (idempotent, so retries are safe). */
export function startImpactWorker(deps: Deps, options: { concurrency?: number } = {}): ImpactWorker {
  const connection = createRedis(deps.config.REDIS_URL, { forWorkers: true });
  const leaderboard = new Leaderboard(deps.redis, deps.config.REDIS_PREFIX);
  const worker = new Worker<ImpactJobData>(
    IMPACT_QUEUE,
    async (job) => {
      const { entry } = await applyImpact(deps.pool, job.data.actionId, new Date(), leaderboard);
      return { seq: entry.seq.toString(), created: entry.created };
    },
    { connection, prefix: deps.config.VERIFIER_QUEUE_PREFIX, concurrency: options.concurrency ?? 4 },
  );
  worker.on('error', () => undefined); // connection errors are retried by ioredis; job failures stay on the job
  return {
    worker,
    async close() {
      await worker.close();
      await connection.quit().catch(() => undefined);
    },
  };
}
