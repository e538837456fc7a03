import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { ConfigError, DEV_VERIFIER_INTERNAL_TOKEN, loadVerifierConfig, testServices, type VerifierConfig } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { Storage } from '../lib/storage.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { buildVerifierHttp } from './http.ts';
import { syntheticPhoto } from './media/fixtures.ts';
import { phash } from './media/phash.ts';
import { indexEvidence, seedAction, seedEvidence, seedMission, seedPlayer } from './testing.ts';
import { verifyAction } from './verify.ts';
import { startVerifierRuntime, type VerifierRuntime } from './worker.ts';

const PARIS = { latitude: 48.8566, longitude: 2.3522 };

describe('verifier internal HTTP (Postgres + S3)', () => {
  let db: TestDatabase;
  let config: VerifierConfig;
  let storage: Storage;
  let runtime: VerifierRuntime;
  let app: FastifyInstance;
  const token = randomBytes(24).toString('hex');

  before(async () => {
    db = await freshDatabase();
    const s = testServices();
    config = loadVerifierConfig({
      NODE_ENV: 'test', DATABASE_URL: db.url, REDIS_URL: s.REDIS_URL, S3_ENDPOINT: s.S3_ENDPOINT,
      S3_BUCKET: `vhttp-${randomBytes(4).toString('hex')}`, VERIFIER_INTERNAL_TOKEN: token,
    });
    storage = new Storage(config);
    await storage.ensureBucket();
    runtime = await startVerifierRuntime(config);
    app = await buildVerifierHttp(runtime.deps, config.VERIFIER_INTERNAL_TOKEN, createLogger('test', 'silent'));
  });
  after(async () => {
    await app.close();
    await runtime.close();
    storage.destroy();
    await db.drop();
  });

  const post = (url: string, payload: object, auth = `Bearer ${token}`) => app.inject({ method: 'POST', url, payload, headers: { authorization: auth } });
  const rowCounts = async () =>
    (await db.sql.query(`SELECT (SELECT count(*) FROM verification_results)::int AS results, (SELECT count(*) FROM verification_details)::int AS details,
                                (SELECT count(*) FROM evidence_phash_chunks)::int AS chunks, (SELECT count(*) FROM evidence WHERE phash IS NOT NULL)::int AS hashed,
                                (SELECT count(*) FROM actions WHERE status <> 'pending')::int AS decided`)).rows[0];

  it('refuses a missing or wrong bearer token (401); the dev token is refused in production', async () => {
    for (const auth of ['', 'Bearer nope', `Basic ${token}`, `Bearer ${token}x`]) {
      const r = await post('/verify/location', {}, auth);
      assert.equal(r.statusCode, 401, auth);
      assert.equal(r.json().error.code, 'UNAUTHORIZED');
    }
    const env = { DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1', S3_ENDPOINT: 'http://127.0.0.1:1' };
    assert.equal(loadVerifierConfig(env).VERIFIER_INTERNAL_TOKEN, DEV_VERIFIER_INTERNAL_TOKEN);
    assert.throws(() => loadVerifierConfig({ ...env, NODE_ENV: 'production' }), (e: unknown) => e instanceof ConfigError && /VERIFIER_INTERNAL_TOKEN: dev default/.test(e.message));
    assert.equal(loadVerifierConfig({ ...env, NODE_ENV: 'production', VERIFIER_INTERNAL_TOKEN: token }).VERIFIER_PORT, 3100);
  });

  it('/verify/location: inside the geofence passes; a spoofed position and a teleport are flagged', async () => {
    const capturedAt = new Date().toISOString();
    const ok = await post('/verify/location', { latitude: 48.8567, longitude: 2.3521, accuracyM: 5, capturedAt, mission: { ...PARIS, radiusM: 50 } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual([ok.json().passed, ok.json().flags], [true, []]);
    assert.deepEqual(ok.json().rules.map((r: { name: string }) => r.name), ['geofence', 'gps_accuracy', 'impossible_travel', 'continent_jump']);
    const spoof = await post('/verify/location', {
      latitude: 48.9, longitude: 2.5, accuracyM: 40, capturedAt, mission: PARIS,
      previous: { latitude: 40.71, longitude: -74.0, capturedAt: new Date(Date.now() - 3_600_000).toISOString() },
    });
    assert.deepEqual(spoof.json().flags, ['hard:geofence', 'soft:gps_accuracy', 'hard:impossible_travel', 'hard:continent_jump']);
  });

  it('/verify/timestamp: future capture, bursts and EXIF time drift are flagged', async () => {
    const now = Date.now();
    const ok = await post('/verify/timestamp', { capturedAt: new Date(now - 60_000).toISOString() });
    assert.deepEqual([ok.statusCode, ok.json().flags], [200, []]);
    const bad = await post('/verify/timestamp', {
      capturedAt: new Date(now + 3_600_000).toISOString(),
      submittedAt: new Date(now).toISOString(),
      exifTakenAt: new Date(now - 86_400_000).toISOString(),
      recentSubmissions: [new Date(now - 200).toISOString(), new Date(now - 100).toISOString()],
    });
    assert.deepEqual(bad.json().flags, ['hard:timestamp', 'soft:burst', 'soft:exif']);
  });

  it('/verify/image: facts, exact and near duplicates of stored evidence, bad media; writes nothing', async () => {
    const missionId = await seedMission(db.sql);
    const player = await seedPlayer(db.sql);
    const original = await syntheticPhoto(901);
    const stored = await seedAction(db.sql, { playerId: player, missionId, submittedAt: new Date(Date.now() - 3_600_000) });
    const evidenceId = await seedEvidence(db.sql, stored, original);
    await indexEvidence(db.sql, evidenceId, await phash(original), 640, 480);
    const before = await rowCounts();

    const fresh = await post('/verify/image', { image: (await syntheticPhoto(902)).toString('base64'), mediaType: 'image/jpeg' });
    assert.equal(fresh.statusCode, 200, fresh.body);
    const f = fresh.json();
    assert.deepEqual([f.passed, f.decodable, f.typeMismatch, f.width, f.height, f.exactDuplicate, f.nearest], [true, true, false, 640, 480, false, null]);
    assert.match(f.phash, /^[0-9a-f]{16}$/);

    const exact = (await post('/verify/image', { image: original.toString('base64'), mediaType: 'image/jpeg' })).json();
    assert.deepEqual([exact.exactDuplicate, exact.nearest?.evidenceId, exact.nearest?.distance, exact.flags], [true, evidenceId, 0, ['hard:duplicate_media']]);
    const edited = await sharp(original).modulate({ brightness: 1.1 }).jpeg({ quality: 60 }).toBuffer();
    const near = (await post('/verify/image', { image: edited.toString('base64'), mediaType: 'image/jpeg' })).json();
    assert.equal(near.exactDuplicate, false);
    assert.equal(near.nearest?.actionId, stored);
    assert.deepEqual(near.flags, ['hard:duplicate_media']);
    const earlier = (await post('/verify/image', { image: edited.toString('base64'), mediaType: 'image/jpeg', before: new Date(Date.now() - 7_200_000).toISOString() })).json();
    assert.equal(earlier.nearest, null, 'only evidence submitted before `before` counts');

    const png = (await post('/verify/image', { image: (await sharp(original).png().toBuffer()).toString('base64'), mediaType: 'image/jpeg' })).json();
    assert.deepEqual([png.sniffedType, png.typeMismatch, png.flags], ['image/png', true, ['hard:media_integrity', 'hard:duplicate_media']]);
    const junk = (await post('/verify/image', { image: Buffer.from('not an image').toString('base64'), mediaType: 'image/jpeg' })).json();
    assert.deepEqual([junk.decodable, junk.phash, junk.flags], [false, null, ['hard:media_integrity']]);

    await storage.put('ops/check.jpg', original, 'image/jpeg');
    const byKey = (await post('/verify/image', { objectKey: 'ops/check.jpg', mediaType: 'image/jpeg' })).json();
    assert.equal(byKey.exactDuplicate, true);
    assert.equal((await post('/verify/image', { objectKey: 'ops/missing.jpg', mediaType: 'image/jpeg' })).statusCode, 404);
    assert.deepEqual(await rowCounts(), before);
  });

  it('/verify/comprehensive: the worker pipeline on a stored action, read-only, same score the worker then writes', async () => {
    const missionId = await seedMission(db.sql);
    const player = await seedPlayer(db.sql);
    const actionId = await seedAction(db.sql, { playerId: player, missionId, latitude: 48.8567, longitude: 2.3521, accuracyM: 6 });
    const photo = await syntheticPhoto(911);
    await storage.put(`proof/${actionId}.jpg`, photo, 'image/jpeg');
    await seedEvidence(db.sql, actionId, photo, `proof/${actionId}.jpg`);
    const before = await rowCounts();
    const r = await post('/verify/comprehensive', { actionId });
    assert.equal(r.statusCode, 200, r.body);
    const c = r.json();
    assert.equal(c.stored, null);
    assert.equal(c.modelVersion, runtime.deps.modelVersion);
    assert.equal(c.rules.length, 10);
    assert.deepEqual(await rowCounts(), before, 'nothing written');

    const written = await verifyAction(runtime.deps, actionId);
    assert.deepEqual([written?.decision, written?.authenticity, written?.flags, written?.modelScore], [c.decision, c.authenticity, c.flags, c.modelScore]);
    const again = (await post('/verify/comprehensive', { actionId })).json();
    assert.deepEqual(again.stored, { decision: c.decision, authenticity: c.authenticity, flags: c.flags });
  });

  it('answers 400 to malformed bodies and 404 to unknown actions', async () => {
    const capturedAt = new Date().toISOString();
    const bad: [string, object][] = [
      ['/verify/location', { latitude: 91, longitude: 0, accuracyM: 5, capturedAt, mission: PARIS }],
      ['/verify/location', { latitude: 1, longitude: 0, accuracyM: 5, capturedAt: 'yesterday', mission: PARIS }],
      ['/verify/location', { latitude: 1, longitude: 0, accuracyM: 5, capturedAt, mission: PARIS, extra: true }],
      ['/verify/timestamp', {}],
      ['/verify/timestamp', { capturedAt, recentSubmissions: ['soon'] }],
      ['/verify/image', { mediaType: 'image/jpeg' }],
      ['/verify/image', { image: 'not base64!', mediaType: 'image/jpeg' }],
      ['/verify/image', { image: 'AAAA', objectKey: 'k', mediaType: 'image/jpeg' }],
      ['/verify/comprehensive', { actionId: 'nope' }],
    ];
    for (const [url, body] of bad) {
      const r = await post(url, body);
      assert.equal(r.statusCode, 400, `${url} ${JSON.stringify(body)}: ${r.body}`);
      assert.equal(r.json().error.code, 'VALIDATION_FAILED');
    }
    const missing = await post('/verify/comprehensive', { actionId: '00000000-0000-4000-8000-000000000001' });
    assert.deepEqual([missing.statusCode, missing.json().error.code], [404, 'NOT_FOUND']);
  });
});
