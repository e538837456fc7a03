import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import pg from 'pg';
import sharp from 'sharp';
import { loadVerifierConfig, testServices } from '../../lib/config.ts';
import { Storage } from '../../lib/storage.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { loadWeights, modelVersion } from '../model/net.ts';
import { DEFAULT_RULE_OPTIONS } from '../rules/index.ts';
import { DEFAULT_THRESHOLDS } from '../score.ts';
import { seedAction, seedEvidence, seedMission, seedPlayer } from '../testing.ts';
import { verifyAction, type VerifyDeps } from '../verify.ts';
import type { VisionEvidence } from './check.ts';
import { DESCRIPTOR_DIMS, describeImage, descriptorVersion, normalise, similarity } from './descriptor.ts';
import { decodeDescriptor, DuplicateIndex, encodeDescriptor, storeDescriptor } from './dup-index.ts';
import { saveSnapshot } from './dup-snapshot.ts';
import { loadDuplicateCheck, VISUAL_DUPLICATE } from './duplicates.ts';
import { applyEdit, packagedPhoto, renderedScene } from './eval-images.ts';
import { loadVisionModels, type VisionModels } from './models.ts';

describe('visual near-duplicates (Postgres + usearch)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let other: pg.Pool;
  let models: VisionModels;
  let minSimilarity: number;
  let missionId: string;
  let playerId: string;

  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    other = new pg.Pool({ connectionString: db.url, max: 2 });
    models = await loadVisionModels();
    const s = testServices();
    minSimilarity = loadVerifierConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, REDIS_URL: s.REDIS_URL, S3_ENDPOINT: s.S3_ENDPOINT }).VERIFIER_VISUAL_DUPLICATE_SIMILARITY;
    missionId = await seedMission(db.sql);
    playerId = await seedPlayer(db.sql);
  });
  after(async () => {
    await other.end();
    await pool.end();
    await db.drop();
  });

  /** A new action with one evidence row for `bytes`: what the check is called with. */
  async function evidence(bytes: Buffer, actionId?: string): Promise<VisionEvidence> {
    const id = actionId ?? (await seedAction(db.sql, { playerId, missionId }));
    return { actionId: id, evidenceId: await seedEvidence(db.sql, id, bytes), missionType: 'cleanup', mediaType: 'image/jpeg', bytes };
  }

  it('describes a picture and its edits alike, unrelated pictures apart, a mirror image identically', async () => {
    const photo = await packagedPhoto(2);
    const d = await describeImage(models, photo);
    const copy = await describeImage(models, await applyEdit(photo, 'crop10+border', 1));
    const flipped = await describeImage(models, await applyEdit(photo, 'flip', 1));
    const unrelated = await describeImage(models, await renderedScene(5));
    assert.ok(similarity(d, copy) >= minSimilarity, `copy ${similarity(d, copy)}`);
    assert.ok(similarity(d, unrelated) < minSimilarity, `unrelated ${similarity(d, unrelated)}`);
    assert.ok(similarity(d, flipped) > 0.95, `flipped ${similarity(d, flipped)}`);
    assert.ok(similarity(d, decodeDescriptor(encodeDescriptor(d))) > 0.999);
    assert.match(descriptorVersion(models), /^[0-9a-f]{64}$/);
    const tensors = tf.memory().numTensors;
    await describeImage(models, photo);
    assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
  });

  it('flags a cropped and bordered copy of a stored image, not an unrelated one, not the same action', async () => {
    const { check, index } = await loadDuplicateCheck(models, pool, minSimilarity);
    const photo = await packagedPhoto(9);
    const original = await evidence(photo);
    assert.deepEqual((await check(original)).rules, [], 'first sight: nothing to match');

    const second = await evidence(await applyEdit(photo, 'crop5', 3), original.actionId);
    assert.deepEqual((await check(second)).rules, [], 'another photo of the same action is not a duplicate');

    const copy = await evidence(await applyEdit(photo, 'crop10+border', 7));
    const verdict = await check(copy);
    assert.equal(verdict.rules.length, 1);
    const rule = verdict.rules[0];
    assert.equal(rule?.name, VISUAL_DUPLICATE);
    assert.equal(rule.passed, false);
    assert.ok(rule.detail.includes(original.actionId), rule.detail);
    assert.equal(verdict.reject, false);

    assert.deepEqual((await check(await evidence(await renderedScene(21)))).rules, []);
    assert.deepEqual((await check({ ...(await evidence(Buffer.from('not an image'))), mediaType: 'image/jpeg' })).rules, []);
    await index.catchUp();
    assert.equal(index.size, 4, 'every decodable image is indexed once');
    const rows = await db.sql.query('SELECT 1 FROM visual_descriptors');
    assert.equal(rows.rowCount, 4);
  });

  it('a worker starting from a snapshot flags a copy of an image stored before and one stored after it', async () => {
    const s = testServices();
    const storage = new Storage(loadVerifierConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, REDIS_URL: s.REDIS_URL, S3_ENDPOINT: s.S3_ENDPOINT, S3_BUCKET: `dups-${randomBytes(4).toString('hex')}` }));
    try {
      await storage.ensureBucket();
      const options = { storage, prefix: 'vision-index/' };
      const first = await loadDuplicateCheck(models, pool, minSimilarity);
      const before = await packagedPhoto(4);
      assert.deepEqual((await first.check(await evidence(before))).rules, []);
      await saveSnapshot(first.index, options);
      const afterPhoto = await packagedPhoto(6);
      assert.deepEqual((await first.check(await evidence(afterPhoto))).rules, []);

      const lines: string[] = [];
      const log = { info: (_o: object, m: string) => lines.push(m), warn: (_o: object, m: string) => lines.push(m) };
      const restarted = await loadDuplicateCheck(models, pool, minSimilarity, { options, log });
      assert.match(lines.join('\n'), /loaded snapshot/);
      await first.index.catchUp();
      assert.equal(restarted.index.size, first.index.size, 'snapshot + catch-up hold every stored descriptor');
      for (const photo of [before, afterPhoto]) {
        const v = await restarted.check(await evidence(await applyEdit(photo, 'crop10+border', 5)));
        assert.equal(v.rules[0]?.name, VISUAL_DUPLICATE);
      }
    } finally {
      storage.destroy();
    }
  });

  it('catches up with rows written by another pool, including one whose transaction committed late', async () => {
    const version = descriptorVersion(models);
    const index = new DuplicateIndex(pool, version);
    await index.catchUp();
    const start = index.size;
    const photo = await renderedScene(40);
    const d = await describeImage(models, photo);

    // A transaction in flight takes the lower id; a later autocommit insert commits first.
    const late = await evidence(photo);
    const client = await other.connect();
    try {
      await client.query('BEGIN');
      await storeDescriptor(client, late.evidenceId, late.actionId, version, d);
      const early = await evidence(await renderedScene(41));
      await storeDescriptor(other, early.evidenceId, early.actionId, version, await describeImage(models, early.bytes));
      assert.equal(await index.catchUp(), 1, 'only the committed row is visible');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    assert.equal(await index.catchUp(), 1, 'the late row fills its gap');
    assert.equal(index.size, start + 2);
    const match = index.nearest(d, '00000000-0000-4000-8000-000000000000');
    assert.equal(match?.evidenceId, late.evidenceId);
    assert.ok((match?.similarity ?? 0) > 0.99);
    assert.equal(await index.catchUp(), 0);

    // Paging follows ids numerically (past 9, 99, …), not as text.
    for (let i = 0; i < 12; i++) {
      const e = await evidence(Buffer.from(`row ${i}`));
      await storeDescriptor(other, e.evidenceId, e.actionId, version, normalise(Float32Array.from({ length: DESCRIPTOR_DIMS }, (_, k) => Math.sin(i * 31 + k))));
    }
    await index.catchUp();
    const paged = new DuplicateIndex(pool, version, 5);
    await paged.catchUp();
    assert.equal(paged.size, index.size, 'a paged load holds every row');

    // Another version's rows are not this index's.
    const foreign = await evidence(await renderedScene(42));
    await storeDescriptor(other, foreign.evidenceId, foreign.actionId, 'f'.repeat(64), d);
    assert.equal(await index.catchUp(), 0);
  });

  it('keeps the descriptors append-only', async () => {
    await assert.rejects(db.sql.query(`UPDATE visual_descriptors SET descriptor = '\\x00'`), /append-only/);
    await assert.rejects(db.sql.query('DELETE FROM visual_descriptors'), /append-only/);
  });

  it('puts the rule into the verification of a proof that reuses another proof’s photo', async () => {
    const { check } = await loadDuplicateCheck(models, pool, minSimilarity);
    const weights = loadWeights();
    const objects = new Map<string, Uint8Array>();
    const deps: VerifyDeps = {
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
      vision: check,
    };
    const photo = await packagedPhoto(13);
    const reused = await sharp(await applyEdit(photo, 'border', 2)).jpeg({ quality: 50 }).toBuffer();
    const verdicts = [];
    for (const bytes of [photo, reused]) {
      const actionId = await seedAction(db.sql, { playerId: await seedPlayer(db.sql), missionId });
      const key = `proof/${actionId}.jpg`;
      objects.set(key, bytes);
      await seedEvidence(db.sql, actionId, bytes, key);
      const v = await verifyAction(deps, actionId);
      assert.ok(v?.written);
      verdicts.push({ actionId, v });
    }
    assert.ok(!verdicts[0]?.v.flags.includes(`soft:${VISUAL_DUPLICATE}`), verdicts[0]?.v.flags.join(','));
    const cosine = similarity(await describeImage(models, photo), await describeImage(models, reused));
    assert.ok(verdicts[1]?.v.flags.includes(`soft:${VISUAL_DUPLICATE}`), `${verdicts[1]?.v.flags.join(',')} (cosine ${cosine})`);
    const { rows } = await db.sql.query<{ rules: { name: string; passed: boolean }[] }>('SELECT rules FROM verification_details WHERE action_id = $1', [verdicts[1]?.actionId]);
    assert.ok(rows[0]?.rules.some((r) => r.name === VISUAL_DUPLICATE && !r.passed));
  });

  it('looks up the descriptor the stages hand over instead of describing the image again', async () => {
    const { check } = await loadDuplicateCheck(models, pool, minSimilarity);
    const photo = await packagedPhoto(15);
    await check(await evidence(photo));
    const scene = await evidence(await renderedScene(23));
    const handed = await check({ ...scene, descriptor: await describeImage(models, photo) });
    assert.deepEqual(handed.rules.map((r) => r.name), [VISUAL_DUPLICATE], 'matched on the handed descriptor, not the scene\'s own');
  });
});
