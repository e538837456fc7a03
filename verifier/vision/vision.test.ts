import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import pg from 'pg';
import sharp from 'sharp';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { syntheticPhoto } from '../media/fixtures.ts';
import { loadWeights, modelVersion } from '../model/net.ts';
import { DEFAULT_RULE_OPTIONS } from '../rules/index.ts';
import { DEFAULT_THRESHOLDS } from '../score.ts';
import { seedAction, seedEvidence, seedMission, seedPlayer } from '../testing.ts';
import { verifyAction, type VerifyDeps } from '../verify.ts';
import { createVisionCheck, mergeVerdicts, visionVerdict } from './check.ts';
import { renderedScene } from './eval-images.ts';
import { loadVisionModels, type VisionModels } from './models.ts';
import { analyseImage, type VisionAnalysis } from './pipeline.ts';
import type { StageResult } from './stage.ts';

const solid = (width: number, height: number, colour: string) => sharp({ create: { width, height, channels: 3, background: colour } }).jpeg().toBuffer();
const stage = (a: VisionAnalysis, name: StageResult['stage']) => {
  const s = a.stages.find((x) => x.stage === name);
  assert.ok(s, `stage ${name} present`);
  return s;
};

describe('vision stages with the packaged models (WASM)', () => {
  let models: VisionModels;
  let sharpPhoto: Buffer;
  let blurredPhoto: Buffer;
  before(async () => {
    models = await loadVisionModels();
    // A rendered outdoor scene: hard edges (syntheticPhoto's soft blobs have none, only pixel noise, which the quality stage does not count as detail).
    sharpPhoto = await sharp(await renderedScene(7)).resize(1024, 768).jpeg().toBuffer();
    blurredPhoto = await sharp(sharpPhoto).blur(3).jpeg().toBuffer();
  });

  it('loads once per process, from package files, with a stable version', async () => {
    assert.equal(await loadVisionModels(), models);
    assert.match(models.version, /^[0-9a-f]{64}$/);
    const names = Object.keys(models.files).map((p) => p.split('/').pop());
    for (const f of ['blazeface.bin', 'antispoof.bin', 'liveness.bin', 'centernet.bin', 'group1-shard1of1.min.js']) assert.ok(names.includes(f), `${f} hashed`);
    const again = await analyseImage(models, sharpPhoto, 'cleanup');
    assert.equal(again.modelVersion, models.version);
  });

  it('returns the four named stages with timings and a flag list that is their union', async () => {
    const a = await analyseImage(models, sharpPhoto, 'planting');
    assert.deepEqual(a.stages.map((s) => s.stage), ['faces', 'objects', 'unsafe', 'quality']);
    for (const s of a.stages) assert.ok(Number.isFinite(s.ms) && s.ms >= 0, `${s.stage} timed`);
    assert.ok(a.ms >= Math.max(...a.stages.map((s) => s.ms)));
    assert.deepEqual(a.flags, a.stages.flatMap((s) => s.flags));
    const faces = stage(a, 'faces').detail;
    assert.equal(typeof faces.count, 'number');
    assert.equal(stage(a, 'objects').detail.missionType, 'planting');
  });

  it('flags blur on a blurred render and not on the sharp one', async () => {
    const sharpQ = stage(await analyseImage(models, sharpPhoto, 'cleanup'), 'quality');
    const blurQ = stage(await analyseImage(models, blurredPhoto, 'cleanup'), 'quality');
    assert.ok(!sharpQ.flags.includes('blurry'), `sharp render edge sharpness ${String(sharpQ.detail.edgeSharpness)}`);
    assert.ok(blurQ.flags.includes('blurry'), `blurred render edge sharpness ${String(blurQ.detail.edgeSharpness)}`);
    assert.ok(Number(blurQ.detail.edgeSharpness) < Number(sharpQ.detail.edgeSharpness));
  });

  it('scores a plain image as safe, and finds no face and nothing a mission expects in it', async () => {
    const a = await analyseImage(models, await solid(800, 600, '#4a7ab0'), 'recycling');
    const unsafe = stage(a, 'unsafe');
    assert.ok(Number(unsafe.detail.score) < 0.2, `unsafe score ${String(unsafe.detail.score)}`);
    assert.deepEqual(unsafe.flags, []);
    assert.equal(stage(a, 'faces').detail.count, 0);
    assert.deepEqual(stage(a, 'faces').flags, []);
    assert.deepEqual(stage(a, 'objects').flags, ['no_expected_objects']);
  });

  it('finds the face and the person in a photo shipped with @vladmandic/human', async () => {
    // The dinner-table thumbnail at the top of the package's own samples.jpg (never a download).
    const photo = await sharp(fileURLToPath(new URL('../../node_modules/@vladmandic/human/assets/samples.jpg', import.meta.url)))
      .extract({ left: 330, top: 0, width: 205, height: 156 })
      .resize({ width: 820 })
      .jpeg()
      .toBuffer();
    const a = await analyseImage(models, photo, 'education');
    const faces = stage(a, 'faces').detail;
    assert.ok(Number(faces.count) >= 1, `faces ${String(faces.count)}`);
    for (const k of ['liveness', 'spoofScore'] as const) assert.ok(Number(faces[k]) >= 0 && Number(faces[k]) <= 1, `${k} in [0, 1]`);
    const objects = stage(a, 'objects');
    assert.ok((objects.detail.expected as string[]).includes('person'), JSON.stringify(objects.detail));
    assert.deepEqual(objects.flags, []);
    assert.deepEqual(stage(a, 'unsafe').flags, []);
  });

  it('leaks no tensor per image (memory stays flat)', async () => {
    await analyseImage(models, sharpPhoto, 'water');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await analyseImage(models, i % 2 ? sharpPhoto : blurredPhoto, 'water');
    assert.equal(tf.memory().numTensors, before);
  });

  it('flags exposure and resolution', async () => {
    assert.ok(stage(await analyseImage(models, await solid(800, 600, '#fcfcfc'), 'care'), 'quality').flags.includes('over_exposed'));
    assert.ok(stage(await analyseImage(models, await solid(800, 600, '#080808'), 'care'), 'quality').flags.includes('under_exposed'));
    const small = stage(await analyseImage(models, await syntheticPhoto(3, 320, 240), 'care'), 'quality');
    assert.ok(small.flags.includes('low_resolution'));
    assert.deepEqual(stage(await analyseImage(models, sharpPhoto, 'care'), 'quality').flags, []);
  });

  it('turns flags into ensemble rules: unsafe content rejects, missing objects lower confidence', () => {
    const v = visionVerdict(['unsafe_content', 'blurry', 'blurry']);
    assert.deepEqual(v.rules.map((r) => `${r.severity}:${r.name}`), ['hard:unsafe_content', 'soft:blurry']);
    assert.equal(v.reject, true);
    const m = mergeVerdicts([v, visionVerdict(['no_expected_objects', 'blurry'])]);
    assert.deepEqual(m.rules.map((r) => r.name), ['unsafe_content', 'blurry', 'no_expected_objects']);
    assert.equal(m.reject, true);
    assert.ok(m.confidenceFactor < 1);
    assert.deepEqual(mergeVerdicts([]), { rules: [], reject: false, confidenceFactor: 1 });
  });
});

describe('vision hook in verifyAction (Postgres)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let models: VisionModels;
  let deps: VerifyDeps;
  const objects = new Map<string, Uint8Array>();
  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const weights = loadWeights();
    models = await loadVisionModels();
    deps = {
      pool,
      getObject: async (key) => {
        const b = objects.get(key);
        if (!b) throw new Error(`no object ${key}`);
        return b;
      },
      weights,
      modelVersion: modelVersion(weights),
      rules: DEFAULT_RULE_OPTIONS,
      thresholds: DEFAULT_THRESHOLDS,
      vision: createVisionCheck(models, pool, async (key, bytes) => {
        objects.set(key, bytes);
      }),
    };
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  it('appends one row per stage linked to action and evidence, feeds the flags to the score, and never rewrites them', async () => {
    const missionId = await seedMission(db.sql);
    const playerId = await seedPlayer(db.sql);
    const actionId = await seedAction(db.sql, { playerId, missionId });
    const photo = await sharp(await syntheticPhoto(11, 800, 600)).blur(3).jpeg().toBuffer();
    const key = `proof/${actionId}.jpg`;
    objects.set(key, photo);
    const evidenceId = await seedEvidence(db.sql, actionId, photo, key);

    const verdict = await verifyAction(deps, actionId);
    assert.ok(verdict?.written);
    assert.ok(verdict.flags.includes('soft:blurry'), verdict.flags.join(','));
    assert.ok(verdict.flags.includes('soft:no_expected_objects'), verdict.flags.join(','));

    const { rows } = await db.sql.query<{ stage: string; evidence_id: string; flags: string[]; model_version: string; duration_ms: number }>(
      'SELECT stage, evidence_id, flags, model_version, duration_ms FROM vision_stage_results WHERE action_id = $1 ORDER BY stage',
      [actionId],
    );
    assert.deepEqual(rows.map((r) => r.stage), ['faces', 'objects', 'quality', 'unsafe']);
    assert.ok(rows.every((r) => r.evidence_id === evidenceId && r.model_version === models.version));
    assert.ok(rows.find((r) => r.stage === 'quality')?.flags.includes('blurry'));

    const derivative = await db.sql.query<{ object_key: string; faces_blurred: number }>('SELECT object_key, faces_blurred FROM evidence_derivatives WHERE evidence_id = $1', [evidenceId]);
    assert.equal(derivative.rows[0]?.object_key, `${key}.public.jpg`);
    assert.ok(objects.has(`${key}.public.jpg`), 'derivative stored beside the original');

    assert.equal(await verifyAction(deps, actionId), null);
    const count = await db.sql.query('SELECT 1 FROM vision_stage_results WHERE action_id = $1', [actionId]);
    assert.equal(count.rowCount, 4);
    await assert.rejects(db.sql.query(`UPDATE vision_stage_results SET flags = '{}' WHERE action_id = $1`, [actionId]), /append-only/);
    await assert.rejects(db.sql.query('DELETE FROM vision_stage_results WHERE action_id = $1', [actionId]), /append-only/);
  });
});
