import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Queue, QueueEvents } from 'bullmq';
import sharp from 'sharp';
import type { Storage } from '../lib/storage.ts';
import type { TestDatabase } from '../test/helpers/database.ts';
import { syntheticPhoto } from './media/fixtures.ts';
import type { ImpactJobData, VerifyDeadJobData } from '../lib/queues.ts';
import { VERIFY_JOB, verifyJobOptions, type VerifyJobData } from './queue.ts';
import { seedAction, seedEvidence, seedPlayer } from './testing.ts';
import type { VerifierWorker } from './worker.ts';
import { startWorkerHarness, type WorkerHarness } from './worker-harness.ts';

describe('verifier worker (Postgres + Redis + S3)', () => {
  let h: WorkerHarness;
  let db: TestDatabase;
  let storage: Storage;
  let queue: Queue<VerifyJobData>;
  let impact: Queue<ImpactJobData>;
  let dead: Queue<VerifyDeadJobData>;
  let events: QueueEvents;
  let verifier: VerifierWorker;
  let missionId: string;

  before(async () => {
    h = await startWorkerHarness();
    ({ db, storage, queue, impact, dead, events, verifier, missionId } = h);
  });
  after(async () => h?.close());

  async function submit(photo: Uint8Array, action: Parameters<typeof seedAction>[1], mediaType = 'image/jpeg'): Promise<string> {
    const actionId = await seedAction(db.sql, action);
    const key = `proof/${actionId}.jpg`;
    await storage.put(key, photo, mediaType);
    await seedEvidence(db.sql, actionId, photo, key, mediaType);
    return actionId;
  }

  async function run(actionId: string, attempts = 3) {
    const job = await queue.add(VERIFY_JOB, { actionId }, verifyJobOptions(actionId, attempts, 10));
    return job.waitUntilFinished(events, 60_000);
  }

  const results = async (actionId: string) =>
    (await db.sql.query('SELECT authenticity, confidence, flags, decision, model_version FROM verification_results WHERE action_id = $1', [actionId])).rows;
  const status = async (actionId: string) => (await db.sql.query('SELECT status FROM actions WHERE id = $1', [actionId])).rows[0]?.status;

  it('approves an honest proof, writes exactly one result, and a re-enqueued job writes nothing more', async () => {
    const player = await seedPlayer(db.sql);
    const photo = await syntheticPhoto(501);
    const actionId = await submit(photo, { playerId: player, missionId, latitude: 48.8567, longitude: 2.3521, accuracyM: 6 });
    const verdict = await run(actionId);
    assert.equal(verdict.decision, 'approve', JSON.stringify(verdict));
    const rows = await results(actionId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].model_version, verifier.modelVersion);
    assert.ok(rows[0].authenticity >= 40);
    assert.equal(await status(actionId), 'approved');
    const { rows: chunks } = await db.sql.query('SELECT count(*)::int AS n FROM evidence_phash_chunks c JOIN evidence e ON e.id = c.evidence_id WHERE e.action_id = $1', [actionId]);
    assert.equal(chunks[0].n, 4);
    const { rows: details } = await db.sql.query('SELECT rules, model_score FROM verification_details WHERE action_id = $1', [actionId]);
    assert.equal(details.length, 1);
    assert.deepEqual(details[0].rules.map((r: { name: string }) => r.name).slice(0, 2), ['geofence', 'gps_accuracy']);
    assert.ok(details[0].model_score >= 0 && details[0].model_score <= 1);
    assert.ok(await impact.getJob(actionId), 'an approved proof is handed to the impact engine');

    // Same jobId while the first is still kept as completed: BullMQ collapses it.
    await queue.add(VERIFY_JOB, { actionId }, verifyJobOptions(actionId));
    // A fresh job for the same action (the completed one removed) runs again but writes nothing.
    await queue.remove(actionId);
    assert.equal(await run(actionId), null);
    assert.equal((await results(actionId)).length, 1);
  });

  it("flags another player's edited copy of a stored photo and a spoofed location", async () => {
    const alice = await seedPlayer(db.sql);
    const bob = await seedPlayer(db.sql);
    const original = await syntheticPhoto(511);
    const first = await submit(original, { playerId: alice, missionId, submittedAt: new Date(Date.now() - 7_200_000) });
    assert.equal((await run(first)).decision, 'approve');
    const copy = await sharp(original).modulate({ brightness: 1.1 }).jpeg({ quality: 70 }).toBuffer();
    const replay = await submit(copy, { playerId: bob, missionId });
    const verdict = await run(replay);
    assert.notEqual(verdict.decision, 'approve');
    assert.ok(verdict.flags.includes('hard:duplicate_media'), verdict.flags.join());
    assert.notEqual(await status(replay), 'approved');
    assert.equal(await impact.getJob(replay), undefined, 'a flagged proof never reaches the impact engine');

    const carol = await seedPlayer(db.sql);
    const spoof = await submit(await syntheticPhoto(503), { playerId: carol, missionId, latitude: 48.9, longitude: 2.5 });
    const v2 = await run(spoof);
    assert.ok(v2.flags.includes('hard:geofence'));
    assert.notEqual(v2.decision, 'approve');

    // A rejected proof notifies its player once, in the result's transaction; review and approve do not.
    const { rows } = await db.sql.query(
      `SELECT a.status::text AS status, count(n.id)::int AS n FROM actions a
         LEFT JOIN notifications n ON n.kind = 'proof_rejected' AND n.player_id = a.player_id AND n.data->>'actionId' = a.id::text
        WHERE a.id = ANY($1::uuid[]) GROUP BY a.id, a.status`, [[first, replay, spoof]]);
    assert.deepEqual(rows.map((r) => r.status).sort(), ['approved', 'rejected', 'rejected']);
    for (const r of rows) assert.equal(r.n, r.status === 'rejected' ? 1 : 0, r.status);
    const note = (await db.sql.query(`SELECT player_id::text, data FROM notifications WHERE kind = 'proof_rejected' AND data->>'actionId' = $1`, [spoof])).rows[0];
    assert.equal(note.player_id, carol);
    assert.ok(note.data.flags.includes('hard:geofence'));
  });

  it('retries a failing job with backoff, then dead-letters it once with the reason, writing no result', async () => {
    const player = await seedPlayer(db.sql);
    const actionId = await seedAction(db.sql, { playerId: player, missionId });
    await seedEvidence(db.sql, actionId, await syntheticPhoto(504), `proof/missing-${actionId}.jpg`); // bytes never uploaded
    await assert.rejects(run(actionId, 2));
    const job = await queue.getJob(actionId);
    assert.equal(await job?.getState(), 'failed');
    assert.equal(job?.attemptsMade, 2);
    assert.ok(job?.failedReason);
    assert.equal((await results(actionId)).length, 0);
    assert.equal(await status(actionId), 'pending');
    const letter = await dead.getJob(actionId);
    assert.equal(letter?.data.actionId, actionId);
    assert.equal(letter?.data.attempts, 2);
    assert.equal(letter?.data.reason, job?.failedReason);
    assert.equal(await dead.count(), 1, 'the first, non-final attempt left no dead letter');
  });

  it('dead-letters a job no retry can fix after one attempt', async () => {
    const bad = await queue.add(VERIFY_JOB, { actionId: 'not-a-uuid' }, { ...verifyJobOptions('bad-job', 5, 10) });
    await assert.rejects(bad.waitUntilFinished(events, 60_000), /invalid actionId/);
    assert.equal((await queue.getJob('bad-job'))?.attemptsMade, 1);
    const letter = await dead.getJob('bad-job');
    assert.match(letter?.data.reason ?? '', /invalid actionId not-a-uuid/);
    assert.equal(letter?.data.attempts, 1);
  });
});
