import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Queue, QueueEvents } from 'bullmq';
import sharp from 'sharp';
import { ConfigError, loadVerifierConfig, type VerifierConfig } from '../../lib/config.ts';
import type { Storage } from '../../lib/storage.ts';
import type { TestDatabase } from '../../test/helpers/database.ts';
import { syntheticPhoto } from '../media/fixtures.ts';
import { VERIFY_JOB, verifyJobOptions, type VerifyJobData } from '../queue.ts';
import { seedAction, seedEvidence, seedPlayer } from '../testing.ts';
import { startWorkerHarness, type WorkerHarness } from '../worker-harness.ts';
import { FFMPEG } from './frames.ts';

/** A 2 s, 640×480 H.264 clip made locally: 1 s of ffmpeg's test pattern, a hard cut, 1 s of colour bars. */
async function testVideo(): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'wired-video-'));
  try {
    const out = join(dir, 'clip.mp4');
    const r = spawnSync(FFMPEG, [
      '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=d=1:s=640x480:r=10', '-f', 'lavfi', '-i', 'smptebars=d=1:s=640x480:r=10',
      '-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', out,
    ]);
    assert.equal(r.status, 0, r.stderr.toString());
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('verifier worker with VERIFIER_VISION=on (Postgres + Redis + S3)', () => {
  let h: WorkerHarness;
  let db: TestDatabase;
  let config: VerifierConfig;
  let storage: Storage;
  let queue: Queue<VerifyJobData>;
  let events: QueueEvents;
  let missionId: string;

  before(async () => {
    h = await startWorkerHarness({ VERIFIER_VISION: 'on' });
    ({ db, config, storage, queue, events, missionId } = h);
  });
  after(async () => h?.close());

  async function submitAndRun(bytes: Uint8Array, mediaType: string): Promise<{ actionId: string; evidenceId: string; key: string }> {
    const playerId = await seedPlayer(db.sql);
    const actionId = await seedAction(db.sql, { playerId, missionId });
    const key = `proofs/${playerId}/${actionId}/media`;
    await storage.put(key, bytes, mediaType);
    const evidenceId = await seedEvidence(db.sql, actionId, bytes, key, mediaType);
    const job = await queue.add(VERIFY_JOB, { actionId }, verifyJobOptions(actionId, 2, 10));
    await job.waitUntilFinished(events, 120_000);
    return { actionId, evidenceId, key };
  }

  const record = async (actionId: string) =>
    (await db.sql.query<{ flags: string[] }>('SELECT flags FROM verification_results WHERE action_id = $1', [actionId])).rows[0];
  const stageRows = async (actionId: string) =>
    (await db.sql.query<{ stage: string; frame_index: number; frame_time_s: number | null; flags: string[] }>(
      'SELECT stage, frame_index, frame_time_s, flags FROM vision_stage_results WHERE action_id = $1 ORDER BY frame_index, stage', [actionId])).rows;

  it('runs vision by default (npm start), not under NODE_ENV=test unless asked, and refuses other values', () => {
    const env = { DATABASE_URL: db.url, REDIS_URL: config.REDIS_URL, S3_ENDPOINT: config.S3_ENDPOINT };
    assert.equal(loadVerifierConfig(env).VERIFIER_VISION, 'on');
    assert.equal(loadVerifierConfig({ ...env, NODE_ENV: 'production', VERIFIER_INTERNAL_TOKEN: 'x'.repeat(24) }).VERIFIER_VISION, 'on');
    assert.equal(loadVerifierConfig({ ...env, NODE_ENV: 'test' }).VERIFIER_VISION, 'off');
    assert.equal(loadVerifierConfig({ ...env, VERIFIER_VISION: 'off' }).VERIFIER_VISION, 'off');
    assert.throws(() => loadVerifierConfig({ ...env, VERIFIER_VISION: 'yes' }), (e: unknown) => e instanceof ConfigError && /VERIFIER_VISION/.test(e.message));
  });

  it('names the flag of a blurred photo in the verification record, appends the stage rows and stores the public derivative', async () => {
    const photo = await sharp(await syntheticPhoto(901, 1024, 768)).blur(3).jpeg().toBuffer();
    const { actionId, evidenceId, key } = await submitAndRun(photo, 'image/jpeg');
    const flags = (await record(actionId))?.flags ?? [];
    assert.ok(flags.includes('soft:blurry'), flags.join(','));
    const rows = await stageRows(actionId);
    assert.deepEqual(rows.map((r) => r.stage), ['faces', 'objects', 'quality', 'unsafe']);
    assert.ok(rows.every((r) => r.frame_index === 0 && r.frame_time_s === null));
    assert.ok(rows.find((r) => r.stage === 'quality')?.flags.includes('blurry'));
    const d = await db.sql.query<{ object_key: string }>('SELECT object_key FROM evidence_derivatives WHERE evidence_id = $1', [evidenceId]);
    assert.equal(d.rows[0]?.object_key, `${key}.public.jpg`);
    const meta = await sharp(await storage.get(`${key}.public.jpg`)).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.exif, undefined);
  });

  it('flags a cropped, bordered copy of another proof\'s photo as a visual duplicate (soft), not the original', async () => {
    const original = await syntheticPhoto(902, 1024, 768);
    const first = await submitAndRun(original, 'image/jpeg');
    assert.ok(!((await record(first.actionId))?.flags ?? []).some((f) => f.endsWith(':visual_duplicate')));
    const copy = await sharp(original).extract({ left: 51, top: 38, width: 922, height: 692 })
      .extend({ top: 24, bottom: 24, left: 24, right: 24, background: '#ffffff' }).jpeg({ quality: 70 }).toBuffer();
    const second = await submitAndRun(copy, 'image/jpeg');
    const flags = (await record(second.actionId))?.flags ?? [];
    assert.ok(flags.includes('soft:visual_duplicate'), flags.join(','));
    const n = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM visual_descriptors WHERE action_id = ANY($1::uuid[])', [[first.actionId, second.actionId]]);
    assert.equal(n.rows[0]?.n, 2);
  });

  it('samples a video (first, middle, scene cut, last), stores per-frame stage rows and merges their flags', async () => {
    const { actionId, evidenceId, key } = await submitAndRun(await testVideo(), 'video/mp4');
    const rows = await stageRows(actionId);
    const times = [...new Set(rows.map((r) => r.frame_time_s))];
    assert.deepEqual(times, [0, 0.9, 1, 1.9]);
    assert.deepEqual([...new Set(rows.map((r) => r.frame_index))], [0, 1, 2, 3]);
    assert.equal(rows.length, 16);
    // No frame shows anything a cleanup mission expects: the soft flag is on every frame, so on the video.
    assert.ok(rows.filter((r) => r.stage === 'objects').every((r) => r.flags.includes('no_expected_objects')));
    assert.ok((await record(actionId))?.flags.includes('soft:no_expected_objects'));
    // Its public derivative: a face-blurred MP4 of the clip (10 fps, 2 s), not a still.
    const d = await db.sql.query<{ object_key: string; width: number; height: number }>('SELECT object_key, width, height FROM evidence_derivatives WHERE evidence_id = $1', [evidenceId]);
    assert.equal(d.rowCount, 1);
    assert.equal(d.rows[0]?.object_key, `${key}.public.mp4`);
    assert.deepEqual([d.rows[0]?.width, d.rows[0]?.height], [480, 360]);
    const mp4 = await storage.get(`${key}.public.mp4`);
    assert.equal(Buffer.from(mp4).subarray(4, 8).toString('latin1'), 'ftyp');
  });
});
