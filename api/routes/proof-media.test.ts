import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { syntheticPhoto } from '../../verifier/media/fixtures.ts';
import { seedAction, seedEvidence, seedMission } from '../../verifier/testing.ts';
import { FFMPEG } from '../../verifier/vision/frames.ts';
import { blurFaces, storeDerivative } from '../../verifier/vision/privacy.ts';
import { blurVideoFaces } from '../../verifier/vision/video-derivative.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../testing.ts';

type Session = Awaited<ReturnType<typeof signIn>>;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const VERSION = 'a'.repeat(64);

describe('GET /api/proof/:id/media: originals for owner and admins, face-blurred derivatives for everyone else', () => {
  let db: TestDatabase;
  let t: TestApp;
  let owner: Session;
  let other: Session;
  let admin: Session;
  let auditor: Session;
  let original: Buffer;
  let derivative: Buffer;
  let approved: string;
  let pending: string;

  async function seedProof(status: string, withDerivative: boolean): Promise<string> {
    const missionId = await seedMission(db.sql);
    const actionId = await seedAction(db.sql, { playerId: owner.player.id, missionId });
    const key = `proofs/${owner.player.id}/${actionId}/media`;
    await t.deps.storage.put(key, original, 'image/jpeg');
    const evidenceId = await seedEvidence(db.sql, actionId, original, key);
    if (withDerivative) {
      const { data, info } = await sharp(original).raw().toBuffer({ resolveWithObject: true });
      const d = await blurFaces({ data, width: info.width, height: info.height }, [[0.3, 0.3, 0.2, 0.25]]);
      derivative = d.jpeg;
      await storeDerivative(db.sql, (k, b, type) => t.deps.storage.put(k, b, type), evidenceId, d, VERSION);
    }
    await db.sql.query('UPDATE actions SET status = $2 WHERE id = $1', [actionId, status]);
    return actionId;
  }

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url, { S3_BUCKET: `media-${randomBytes(5).toString('hex')}` });
    await t.deps.storage.ensureBucket();
    owner = await signIn(t);
    other = await signIn(t);
    for (const role of ['admin', 'auditor'] as const) {
      const w = newWallet();
      await db.sql.query('UPDATE players SET role = $2 WHERE id = $1', [(await signIn(t, w)).player.id, role]);
      if (role === 'admin') admin = await signIn(t, w);
      else auditor = await signIn(t, w);
    }
    original = await syntheticPhoto(31, 1200, 900);
    approved = await seedProof('approved', true);
    pending = await seedProof('pending', false);
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const get = (url: string, s?: Session) => t.app.inject({ method: 'GET', url, ...(s ? { headers: bearer(s.accessToken) } : {}) });
  const fetched = async (url: string) => sha(new Uint8Array(await (await fetch(url)).arrayBuffer()));

  it('gives another player the derivative of an approved proof, never the original', async () => {
    const res = await get(`/api/proof/${approved}/media`, other);
    assert.equal(res.statusCode, 200, res.body);
    const [m] = res.json().media;
    assert.equal(m.variant, 'public');
    assert.equal(m.facesBlurred, 1);
    assert.equal(await fetched(m.url), sha(derivative));
    assert.notEqual(sha(derivative), sha(original));
    const refused = await get(`/api/proof/${approved}/media?variant=original`, other);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, 'ORIGINAL_MEDIA_FORBIDDEN');
  });

  it('gives the owner and admins the original', async () => {
    for (const s of [owner, admin]) {
      const res = await get(`/api/proof/${approved}/media?variant=original`, s);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await fetched(res.json().media[0].url), sha(original));
    }
    const shown = await get(`/api/proof/${approved}`, owner);
    assert.equal(await fetched(shown.json().mediaUrls[0]), sha(original));
  });

  it('shows auditors only the derivative, in the proof view too', async () => {
    const shown = await get(`/api/proof/${approved}`, auditor);
    assert.equal(shown.statusCode, 200, shown.body);
    assert.equal(await fetched(shown.json().mediaUrls[0]), sha(derivative));
    assert.equal((await get(`/api/proof/${approved}/media?variant=original`, auditor)).statusCode, 403);
    // Not yet through the vision stages: nothing to show them.
    assert.deepEqual((await get(`/api/proof/${pending}`, auditor)).json().mediaUrls, []);
    assert.deepEqual((await get(`/api/proof/${pending}/media`, auditor)).json().media, []);
  });

  it('hides proofs that are not approved from other players, and refuses bad input and anonymous callers', async () => {
    assert.equal((await get(`/api/proof/${pending}/media`, other)).statusCode, 404);
    assert.equal((await get(`/api/proof/${pending}/media`, owner)).statusCode, 200);
    assert.equal((await get(`/api/proof/${approved}/media?variant=raw`, owner)).statusCode, 400);
    assert.equal((await get('/api/proof/not-a-uuid/media', owner)).statusCode, 400);
    assert.equal((await get(`/api/proof/${approved}/media`)).statusCode, 401);
    assert.equal((await get('/api/proof/00000000-0000-4000-8000-000000000000/media', admin)).statusCode, 404);
  });

  it('serves a video\'s derivative as a face-blurred MP4 (video/mp4)', async () => {
    // A 1 s clip from the packaged ffmpeg, to stdout as fragmented MP4.
    const r = spawnSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=d=1:s=320x240:r=10', '-c:v', 'libx264', '-pix_fmt', 'yuv420p',
      '-movflags', 'frag_keyframe+empty_moov', '-f', 'mp4', 'pipe:1'], { maxBuffer: 1 << 24 });
    assert.equal(r.status, 0, r.stderr.toString());
    const missionId = await seedMission(db.sql);
    const actionId = await seedAction(db.sql, { playerId: owner.player.id, missionId });
    const key = `proofs/${owner.player.id}/${actionId}/media`;
    await t.deps.storage.put(key, r.stdout, 'video/mp4');
    const evidenceId = await seedEvidence(db.sql, actionId, r.stdout, key, 'video/mp4');
    const d = await blurVideoFaces(r.stdout, async () => [[0.25, 0.25, 0.5, 0.5]]);
    assert.equal(await storeDerivative(db.sql, (k, b, type) => t.deps.storage.put(k, b, type), evidenceId, d, VERSION), `${key}.public.mp4`);
    await db.sql.query('UPDATE actions SET status = $2 WHERE id = $1', [actionId, 'approved']);
    const res = await get(`/api/proof/${actionId}/media`, other);
    assert.equal(res.statusCode, 200, res.body);
    const [m] = res.json().media;
    assert.deepEqual([m.mediaType, m.width, m.height, m.facesBlurred], ['video/mp4', 320, 240, 1]);
    const served = await fetch(m.url);
    assert.equal(served.headers.get('content-type'), 'video/mp4');
    assert.equal(sha(new Uint8Array(await served.arrayBuffer())), sha(d.mp4));
    assert.equal((await get(`/api/proof/${actionId}/media?variant=original`, owner)).json().media[0].mediaType, 'video/mp4');
  });

  it('keeps derivatives append-only', async () => {
    await assert.rejects(db.sql.query('UPDATE evidence_derivatives SET faces_blurred = 0'), /append-only/);
    await assert.rejects(db.sql.query('DELETE FROM evidence_derivatives'), /append-only/);
  });
});
