import type { JobsOptions } from 'bullmq';

/**
 * The BullMQ queues services meet on. Producers and consumers import only this
 * contract, never each other's internals.
 *
 * verify-proof: API (POST /api/proof/submit) → verifier worker.
 * apply-impact: verifier (on an approve decision) → impact engine worker (API process).
 */
export const VERIFY_QUEUE = 'verify-proof';
export const VERIFY_JOB = 'verify';
export interface VerifyJobData {
  actionId: string;
}

/**
 * verify-proof-dead: verifier → operators. A verify job that failed its last
 * attempt (or could never succeed) leaves one job here (jobId = actionId) with
 * the reason; re-enqueue the action on verify-proof once the cause is fixed.
 */
export const VERIFY_DEAD_QUEUE = 'verify-proof-dead';
export const VERIFY_DEAD_JOB = 'dead';
export interface VerifyDeadJobData {
  actionId: string;
  reason: string;
  attempts: number;
  failedAt: string;
}

export const IMPACT_QUEUE = 'apply-impact';
export const IMPACT_JOB = 'apply';
export interface ImpactJobData {
  actionId: string;
}

/**
 * jobId = actionId so duplicate submissions collapse into one job; retried with
 * exponential backoff; failed jobs are kept with their reason for inspection.
 */
export function jobOptions(actionId: string, attempts = 5, backoffMs = 2000): JobsOptions {
  return {
    jobId: actionId,
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: { count: 10_000 },
    removeOnFail: false,
  };
}

/**
 * notify-deliver: notification dispatcher (API) → outbound delivery worker (API process).
 * A webhook job names its webhook_deliveries row (jobId = `webhook:<deliveryId>`); another
 * channel's job names the notification (jobId = `<channel>:<notificationId>`). Jobs that
 * exhaust their attempts are copied to notify-dead-letter with the last error.
 */
export const NOTIFY_DELIVERY_QUEUE = 'notify-deliver';
export const NOTIFY_DEAD_LETTER_QUEUE = 'notify-dead-letter';
export type NotifyDeliveryJobData =
  | { channel: 'webhook'; deliveryId: string }
  | { channel: 'email' | 'push' | 'sms'; notificationId: string };
