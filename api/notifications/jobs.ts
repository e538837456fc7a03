import type { JobsOptions } from 'bullmq';

/** Outbound delivery jobs: stable jobId (a repeated enqueue is a no-op), exponential backoff, failures kept for inspection. */
export function deliveryJobOptions(jobId: string, attempts: number, backoffMs: number): JobsOptions {
  return {
    jobId,
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: { count: 10_000 },
    removeOnFail: { count: 10_000 },
  };
}
