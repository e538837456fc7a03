/**
 * The verifier's side of the `verify-proof` contract. The names live in
 * lib/queues.ts (shared by producers and consumers); this module re-exports
 * them so the API can import either.
 */
export { VERIFY_JOB, VERIFY_QUEUE, type VerifyJobData, jobOptions as verifyJobOptions } from '../lib/queues.ts';
