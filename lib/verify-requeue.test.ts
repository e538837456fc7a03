import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import pg from 'pg';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { uniquePrefix } from '../api/testing.ts';
import { testServices } from './config.ts';
import { VERIFY_JOB, VERIFY_QUEUE, type VerifyJobData } from './queues.ts';
import { createDb } from './db.ts';
import { createRedis, type Redis } from './redis.ts';
import { requeuePendingProofs, startRequeueSweeper } from './verify-requeue.ts';

let db: TestDatabase;
let pool: pg.Pool;
let redis: Redis;
let queue: Queue<VerifyJobData>;
let playerId: string;
let missionId: string;

before(async () => {
  db = await freshDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  redis = createRedis(testServices().REDIS_URL, { forWorkers: true });
  queue = new Queue<VerifyJobData>(VERIFY_QUEUE, { connection: redis, prefix: uniquePrefix().slice(0, -1) });
  const zone = (await db.sql.query<{ id: string }>(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES (gen_random_uuid(), 'z', 'KE', 0, 0, 100) RETURNING id`)).rows[0]!.id;
  missionId = (await db.sql.query<{ id: string }>(
    `INSERT INTO missions (id, zone_id, title, description, type, difficulty, base_xp, base_heart, duration_minutes, latitude, longitude, radius_m)
     VALUES (gen_random_uuid(), $1, 'm', 'd', 'cleanup', 1, 10, 1, 60, 0, 0, 100) RETURNING id`, [zone])).rows[0]!.id;
  playerId = (await db.sql.query<{ id: string }>(`INSERT INTO players (id, address, did) VALUES (gen_random_uuid(), '0x00000000000000000000000000000000000000aa', 'did:x') RETURNING id`)).rows[0]!.id;
});

after(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
  await pool.end();
  await db.drop();
});

/** An action submitted `ageS` seconds ago with `status`. */
async function action(ageS: number, status = 'pending'): Promise<string> {
  const id = randomUUID();
  await db.sql.query(
    `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, submitted_at, status)
     VALUES ($1::uuid, $2, $3, $1::text, 0, 0, 5, now(), now() - make_interval(secs => $4), $5::"ActionStatus")`,
    [id, playerId, missionId, ageS, status]);
  return id;
}

const jobIds = async () => (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).map((j) => j.id).sort();

test('re-enqueues pending actions older than the grace period, once (jobId = actionId)', async () => {
  const orphans = [await action(600), await action(120)];
  await action(5); // being saved right now: left to its request
  await action(600, 'approved');
  await action(600, 'review');

  assert.equal(await requeuePendingProofs(pool, queue), 2);
  assert.deepEqual(await jobIds(), [...orphans].sort());
  const job = await queue.getJob(orphans[0]!);
  assert.equal(job?.name, VERIFY_JOB);
  assert.deepEqual(job?.data, { actionId: orphans[0] });

  await requeuePendingProofs(pool, queue); // again: nothing new
  assert.deepEqual(await jobIds(), [...orphans].sort());
  assert.equal(await queue.count(), 2);
});

test('an action whose job already exists keeps that job untouched', async () => {
  const id = await action(300);
  await queue.add(VERIFY_JOB, { actionId: id }, { jobId: id, attempts: 9 });
  await requeuePendingProofs(pool, queue);
  assert.equal((await queue.getJob(id))?.opts.attempts, 9);
});

test('pages through more pending actions than one page holds', async () => {
  await queue.obliterate({ force: true });
  const ids: string[] = [];
  for (let i = 0; i < 520; i++) ids.push(randomUUID());
  await db.sql.query(
    `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, submitted_at)
     SELECT id, $2, $3, id::text, 0, 0, 5, now(), now() - interval '10 minutes' FROM unnest($1::uuid[]) AS t(id)`, [ids, playerId, missionId]);
  await requeuePendingProofs(pool, queue);
  const jobs = new Set(await jobIds());
  assert.ok(ids.every((id) => jobs.has(id)));
});

test('the sweeper runs a pass at start and stops cleanly', async () => {
  await queue.obliterate({ force: true });
  const id = await action(900);
  const errors: unknown[] = [];
  const sweeper = startRequeueSweeper(pool, queue, (err) => errors.push(err));
  await sweeper.close(); // waits for the first pass
  assert.deepEqual(errors, []);
  assert.ok(await queue.getJob(id));
});

test('runs on the Prisma client as well (the API passes deps.db)', async () => {
  await queue.obliterate({ force: true });
  const id = await action(700);
  const prisma = createDb(db.url);
  try {
    assert.ok((await requeuePendingProofs(prisma, queue)) >= 1);
  } finally {
    await prisma.$disconnect();
  }
  assert.ok(await queue.getJob(id));
});
