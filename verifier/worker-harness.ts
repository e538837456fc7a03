// Test harness: a verifier worker on a fresh database, the shared Redis and its own S3 bucket and
// queue prefix, with the queues a test drives or inspects (verify, impact, dead letters) and the
// verify queue's events. close() stops the worker and removes everything it made.
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { loadVerifierConfig, testServices, type VerifierConfig } from '../lib/config.ts';
import { IMPACT_QUEUE, VERIFY_DEAD_QUEUE, type ImpactJobData, type VerifyDeadJobData } from '../lib/queues.ts';
import { createRedis } from '../lib/redis.ts';
import { Storage } from '../lib/storage.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { VERIFY_QUEUE, type VerifyJobData } from './queue.ts';
import { seedMission } from './testing.ts';
import { startVerifierWorker, type VerifierWorker } from './worker.ts';

export interface WorkerHarness {
  db: TestDatabase;
  config: VerifierConfig;
  storage: Storage;
  queue: Queue<VerifyJobData>;
  impact: Queue<ImpactJobData>;
  dead: Queue<VerifyDeadJobData>;
  events: QueueEvents;
  verifier: VerifierWorker;
  /** A mission (seedMission) for the test's actions. */
  missionId: string;
  close(): Promise<void>;
}

/** `env` adds to (or overrides) the worker's configuration, e.g. { VERIFIER_VISION: 'on' }. */
export async function startWorkerHarness(env: Record<string, string> = {}): Promise<WorkerHarness> {
  const db = await freshDatabase();
  const s = testServices();
  const config = loadVerifierConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: s.REDIS_URL,
    S3_ENDPOINT: s.S3_ENDPOINT,
    S3_BUCKET: `verifier-${randomBytes(4).toString('hex')}`,
    VERIFIER_QUEUE_PREFIX: `vt-${randomBytes(4).toString('hex')}`,
    VERIFIER_CONCURRENCY: '2',
    ...env,
  });
  const storage = new Storage(config);
  await storage.ensureBucket();
  const redis = createRedis(config.REDIS_URL, { forWorkers: true });
  const prefix = config.VERIFIER_QUEUE_PREFIX;
  const queue = new Queue<VerifyJobData>(VERIFY_QUEUE, { connection: redis, prefix });
  const impact = new Queue<ImpactJobData>(IMPACT_QUEUE, { connection: redis, prefix });
  const dead = new Queue<VerifyDeadJobData>(VERIFY_DEAD_QUEUE, { connection: redis, prefix });
  const eventsRedis = createRedis(config.REDIS_URL, { forWorkers: true });
  const events = new QueueEvents(VERIFY_QUEUE, { connection: eventsRedis, prefix });
  await events.waitUntilReady();
  const verifier = await startVerifierWorker(config);
  const missionId = await seedMission(db.sql);
  return {
    db, config, storage, queue, impact, dead, events, verifier, missionId,
    async close() {
      await verifier.close();
      await events.close();
      eventsRedis.disconnect();
      for (const q of [queue, impact, dead]) {
        await q.obliterate({ force: true });
        await q.close();
      }
      redis.disconnect();
      storage.destroy();
      await db.drop();
    },
  };
}
