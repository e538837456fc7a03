import { Queue } from 'bullmq';
import { IMPACT_QUEUE, VERIFY_QUEUE, type ImpactJobData, type VerifyJobData } from '../../lib/queues.ts';
import type { Deps } from '../deps.ts';

/** A producer queue on the app's Redis connection (closed with the app). */
function producer<T>(name: string, deps: Deps): Queue<T> {
  const queue = new Queue<T>(name, { connection: deps.redis, prefix: deps.config.VERIFIER_QUEUE_PREFIX });
  queue.on('error', () => undefined); // the connection's own listener (lib/redis.ts) logs the outage; ioredis reconnects
  return queue;
}

/** Producer side of the verify-proof queue. */
export const verifyQueue = (deps: Deps): Queue<VerifyJobData> => producer<VerifyJobData>(VERIFY_QUEUE, deps);

/** Producer side of the apply-impact queue. */
export const impactQueue = (deps: Deps): Queue<ImpactJobData> => producer<ImpactJobData>(IMPACT_QUEUE, deps);
