import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import pg from 'pg';
import type { VerifierConfig } from '../lib/config.ts';
import { IMPACT_JOB, IMPACT_QUEUE, jobOptions, VERIFY_DEAD_JOB, VERIFY_DEAD_QUEUE, type ImpactJobData, type VerifyDeadJobData } from '../lib/queues.ts';
import { createLogger } from '../lib/logger.ts';
import { createRedis } from '../lib/redis.ts';
import { Storage } from '../lib/storage.ts';
import { useInferenceBackend, type InferenceBackend } from './model/backend.ts';
import { loadWeights, modelVersion } from './model/net.ts';
import { VERIFY_QUEUE, type VerifyJobData } from './queue.ts';
import { DEFAULT_RULE_OPTIONS, type RuleOptions } from './rules/index.ts';
import type { ScoreThresholds } from './score.ts';
import { verifyAction, type Verdict, type VerifyDeps } from './verify.ts';
import { createVisionCheck } from './vision/check.ts';
import { startSnapshotWriter, type SnapshotWriter } from './vision/dup-snapshot-writer.ts';
import { loadDuplicateCheck } from './vision/duplicates.ts';
import { loadVisionModels } from './vision/models.ts';

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

export interface VerifierRuntime {
  deps: VerifyDeps;
  backend: InferenceBackend;
  /** SHA-256 over the packaged vision weights when VERIFIER_VISION=on, else null. */
  visionVersion: string | null;
  close(): Promise<void>;
}

/**
 * Model (on the inference backend), Postgres pool, object storage and
 * thresholds: what the worker and the internal HTTP API share. With
 * VERIFIER_VISION=on the vision models load here, once per process, and are
 * warmed up (one inference each) before the first job.
 */
export async function startVerifierRuntime(config: VerifierConfig): Promise<VerifierRuntime> {
  const inference = await useInferenceBackend();
  const weights = loadWeights();
  const vision = config.VERIFIER_VISION === 'on' ? await loadVisionModels() : null;
  // The vision models switch TF.js to wasm, and a process has one TF.js backend: the verifier's model runs there too.
  const backend: InferenceBackend = vision && inference.name !== 'wasm' ? { name: 'wasm', fallbackReason: 'VERIFIER_VISION=on: the vision models need the wasm backend' } : inference;
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.VERIFIER_CONCURRENCY + 4 });
  const storage = new Storage(config);
  const deps: VerifyDeps = { pool, getObject: (key) => storage.get(key), weights, modelVersion: modelVersion(weights), rules: ruleOptions(config), thresholds: thresholds(config) };
  let snapshots: SnapshotWriter | null = null;
  if (vision) {
    const log = createLogger('verifier', config.LOG_LEVEL);
    const options = { storage, prefix: config.VERIFIER_DUP_SNAPSHOT_PREFIX };
    const { check: duplicates, index } = await loadDuplicateCheck(vision, pool, config.VERIFIER_VISUAL_DUPLICATE_SIMILARITY, { options, log });
    const policy = { everyDescriptors: config.VERIFIER_DUP_SNAPSHOT_EVERY, maxAgeMs: config.VERIFIER_DUP_SNAPSHOT_MINUTES * 60_000 };
    snapshots = startSnapshotWriter(pool, index, policy, options, log);
    deps.vision = createVisionCheck(vision, pool, (key, bytes, contentType) => storage.put(key, bytes, contentType), duplicates);
  }
  return {
    backend,
    visionVersion: vision?.version ?? null,
    deps,
    async close() {
      await snapshots?.stop();
      storage.destroy();
      await pool.end();
    },
  };
}

export interface VerifierWorker {
  worker: Worker<VerifyJobData, Verdict | null>;
  modelVersion: string;
  close(): Promise<void>;
}

const ACTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * BullMQ worker on `verify-proof`. A job that throws is retried with the
 * backoff the producer set (see verifyJobOptions). On its last attempt, or on
 * an error no retry can fix, the job also leaves one dead letter (jobId =
 * actionId) with the reason on `verify-proof-dead` before it fails.
 */
export async function startVerifierWorker(config: VerifierConfig, runtime?: VerifierRuntime): Promise<VerifierWorker> {
  const rt = runtime ?? (await startVerifierRuntime(config));
  const { deps } = rt;
  const connection = createRedis(config.REDIS_URL, { forWorkers: true });
  const impact = new Queue<ImpactJobData>(IMPACT_QUEUE, { connection, prefix: config.VERIFIER_QUEUE_PREFIX });
  const dead = new Queue<VerifyDeadJobData>(VERIFY_DEAD_QUEUE, { connection, prefix: config.VERIFIER_QUEUE_PREFIX });
  // Connection errors are retried by ioredis (the shared connection logs them); without a listener BullMQ prints each one.
  for (const q of [impact, dead]) q.on('error', () => undefined);

  async function verifyJob(job: Job<VerifyJobData>): Promise<Verdict | null> {
    const { actionId } = job.data;
    if (typeof actionId !== 'string' || !ACTION_ID.test(actionId)) throw new UnrecoverableError(`invalid actionId ${String(actionId)}`);
    const verdict = await verifyAction(deps, actionId);
    // Hand approved proofs to the impact engine. When this run wrote nothing,
    // read the stored decision: a retry after a crash between commit and
    // enqueue must still enqueue, and jobId = actionId makes a repeated enqueue a no-op.
    const decision = verdict?.written
      ? verdict.decision
      : (await deps.pool.query<{ decision: string }>('SELECT decision FROM verification_results WHERE action_id = $1', [actionId])).rows[0]?.decision;
    if (decision === 'approve') {
      await impact.add(IMPACT_JOB, { actionId }, jobOptions(actionId, config.VERIFIER_ATTEMPTS, config.VERIFIER_BACKOFF_MS));
    }
    return verdict;
  }

  const worker = new Worker<VerifyJobData, Verdict | null>(
    VERIFY_QUEUE,
    async (job) => {
      try {
        return await verifyJob(job);
      } catch (err) {
        const final = err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        if (final) {
          const reason = err instanceof Error ? err.message : String(err);
          const data: VerifyDeadJobData = { actionId: String(job.data.actionId), reason, attempts: job.attemptsMade + 1, failedAt: new Date().toISOString() };
          await dead.add(VERIFY_DEAD_JOB, data, { jobId: job.id, removeOnComplete: false, removeOnFail: false });
        }
        throw err;
      }
    },
    { connection, prefix: config.VERIFIER_QUEUE_PREFIX, concurrency: config.VERIFIER_CONCURRENCY },
  );
  return {
    worker,
    modelVersion: deps.modelVersion,
    async close() {
      await worker.close();
      await impact.close();
      await dead.close();
      connection.disconnect();
      if (!runtime) await rt.close();
    },
  };
}
