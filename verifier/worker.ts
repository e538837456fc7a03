import { Queue, Worker, type Job } from 'bullmq';
import pg from 'pg';
import type { VerifierConfig } from '../lib/config.ts';
import { IMPACT_JOB, IMPACT_QUEUE, jobOptions, type ImpactJobData } from '../lib/queues.ts';
import { createRedis } from '../lib/redis.ts';
import { Storage } from '../lib/storage.ts';
import { useBackend } from './model/backend.ts';
import { loadWeights, modelVersion } from './model/net.ts';
import { VERIFY_QUEUE, type VerifyJobData } from './queue.ts';
import { DEFAULT_RULE_OPTIONS, type RuleOptions } from './rules/index.ts';
import type { ScoreThresholds } from './score.ts';
import { verifyAction, type Verdict, type VerifyDeps } from './verify.ts';

export function ruleOptions(c: VerifierConfig): RuleOptions {
  return {
    ...DEFAULT_RULE_OPTIONS,
    defaultRadiusM: c.VERIFIER_DEFAULT_RADIUS_M,
    maxAccuracyM: c.VERIFIER_MAX_ACCURACY_M,
    maxSpeedKmh: c.VERIFIER_MAX_SPEED_KMH,
    clockSkewS: c.VERIFIER_CLOCK_SKEW_S,
    maxAgeH: c.VERIFIER_MAX_AGE_H,
    maxPerHour: c.VERIFIER_MAX_PER_HOUR,
    nearDuplicateHamming: c.VERIFIER_NEAR_DUPLICATE_HAMMING,
  };
}

export function thresholds(c: VerifierConfig): ScoreThresholds {
  return { approveAt: c.VERIFIER_APPROVE_AT, rejectAt: c.VERIFIER_REJECT_AT, hardRejectModel: c.VERIFIER_HARD_REJECT_MODEL };
}

export interface VerifierWorker {
  worker: Worker<VerifyJobData, Verdict | null>;
  modelVersion: string;
  close(): Promise<void>;
}

/**
 * BullMQ worker on `verify-proof`. A job that throws is retried with the
 * backoff the producer set (see verifyJobOptions); after its attempts it
 * stays in the failed set with the reason.
 */
export async function startVerifierWorker(config: VerifierConfig): Promise<VerifierWorker> {
  await useBackend('wasm');
  const weights = loadWeights();
  const version = modelVersion(weights);
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.VERIFIER_CONCURRENCY + 2 });
  const storage = new Storage(config);
  const connection = createRedis(config.REDIS_URL, { forWorkers: true });
  const deps: VerifyDeps = {
    pool,
    getObject: (key) => storage.get(key),
    weights,
    modelVersion: version,
    rules: ruleOptions(config),
    thresholds: thresholds(config),
  };
  const impact = new Queue<ImpactJobData>(IMPACT_QUEUE, { connection, prefix: config.VERIFIER_QUEUE_PREFIX });
  const worker = new Worker<VerifyJobData, Verdict | null>(
    VERIFY_QUEUE,
    async (job: Job<VerifyJobData>) => {
      const { actionId } = job.data;
      if (typeof actionId !== 'string' || !/^[0-9a-f-]{36}$/i.test(actionId)) throw new Error(`invalid actionId ${String(actionId)}`);
      const verdict = await verifyAction(deps, actionId);
      // Hand approved proofs to the impact engine. Read the stored decision, not
      // this run's: a retry after a crash between commit and enqueue must still
      // enqueue, and jobId = actionId makes a repeated enqueue a no-op.
      const stored = await pool.query<{ decision: string }>('SELECT decision FROM verification_results WHERE action_id = $1', [actionId]);
      if (stored.rows[0]?.decision === 'approve') {
        await impact.add(IMPACT_JOB, { actionId }, jobOptions(actionId, config.VERIFIER_ATTEMPTS, config.VERIFIER_BACKOFF_MS));
      }
      return verdict;
    },
    { connection, prefix: config.VERIFIER_QUEUE_PREFIX, concurrency: config.VERIFIER_CONCURRENCY },
  );
  return {
    worker,
    modelVersion: version,
    async close() {
      await worker.close();
      await impact.close();
      connection.disconnect();
      storage.destroy();
      await pool.end();
    },
  };
}
