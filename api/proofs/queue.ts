import { Queue } from 'bullmq';
import { IMPACT_QUEUE, VERIFY_QUEUE, type ImpactJobData, type VerifyJobData } from '../../lib/queues.ts';
import type { Deps } from '../deps.ts';

/** Producer side of the verify-proof queue on the app's Redis connection (closed with the app). */
export function verifyQueue(deps: Deps): Queue<VerifyJobData> {
  return new Queue<VerifyJobData>(VERIFY_QUEUE, { connection: deps.redis, prefix: deps.config.VERIFIER_QUEUE_PREFIX });
}

export function impactQueue(deps: Deps): Queue<ImpactJobData> {
  return new Queue<ImpactJobData>(IMPACT_QUEUE, { connection: deps.redis, prefix: deps.config.VERIFIER_QUEUE_PREFIX });
}
