import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import sharp from 'sharp';
import pg from 'pg';
import { IMPACT_JOB, IMPACT_QUEUE, jobOptions, VERIFY_QUEUE } from '../../lib/queues.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { applyImpact } from '../impact/engine.ts';
import { startImpactWorker } from '../impact/worker.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../testing.ts';

type Session = Awaited<ReturnType<typeof signIn>>;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('proofs → verification → impact, end to end', () => {
  let db: TestDatabase;
  let t: TestApp;
  let verify: Queue;
  let impact: Queue;
  let pool: pg.Pool;
  let player: Session;
  let other: Session;
  let admin: Session;
  let zoneId: string;
  let jpeg: Uint8Array;
  let png: Uint8Array;
  const prefix = `tq${randomBytes(5).toString('hex')}`;

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url, { S3_BUCKET: `proof-${randomBytes(5).toString('hex')}`, VERIFIER_QUEUE_PREFIX: prefix });
    await t.deps.storage.ensureBucket();
    verify = new Queue(VERIFY_QUEUE, { connection: t.deps.redis, prefix });
    impact = new Queue(IMPACT_QUEUE, { connection: t.deps.redis, prefix });
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    zoneId = (await db.sql.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m, multiplier) VALUES (gen_random_uuid(), 'Lisbon', 'PT', 38.7, -9.1, 500, 1.5) RETURNING id`)).rows[0].id;
    player = await signIn(t);
    other = await signIn(t);
    const w = newWallet();
    await db.sql.query(`UPDATE players SET role = 'admin' WHERE id = $1`, [(await signIn(t, w)).player.id]);
    admin = await signIn(t, w);
    jpeg = new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 60, b: 30 } } }).jpeg().toBuffer());
    png = new Uint8Array(await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 0, g: 90, b: 30 } } }).png().toBuffer());
  });
  after(async () => {
    await Promise.allSettled([verify.obliterate({ force: true }), impact.obliterate({ force: true })]);
    await verify.close();
    await impact.close();
    const keys = await t.deps.redis.keys(`${prefix}:*`);
    if (keys.length) await t.deps.redis.del(...keys);
    await pool.end();
    await t.close();
    await db.drop();
  });

  const post = (url: string, token: string, payload: object) => t.app.inject({ method: 'POST', url, headers: bearer(token), payload });
  const get = (url: string, token?: string) => t.app.inject({ method: 'GET', url, ...(token ? { headers: bearer(token) } : {}) });

  async function startQuest(s: Session, title = 'Beach cleanup') {
    const m = await post('/api/quest/create', admin.accessToken, {
      zoneId, title, description: 'Collect litter', type: 'cleanup', baseXp: 100, baseHeart: '1000000000000000000',
      durationMinutes: 60, latitude: 38.7, longitude: -9.1, difficulty: 2,
    });
    assert.equal(m.statusCode, 201, m.body);
    const a = await post(`/api/quest/${m.json().id}/start`, s.accessToken, {});
    assert.equal(a.statusCode, 201, a.body);
    return { missionId: m.json().id as string, assignmentId: a.json().id as string };
  }

  async function upload(s: Session, assignmentId: string, bytes: Uint8Array, contentType = 'image/jpeg') {
    const res = await post('/api/proof/upload-url', s.accessToken, { assignmentId, contentType, size: bytes.byteLength });
    assert.equal(res.statusCode, 200, res.body);
    const put = await fetch(res.json().url, { method: 'PUT', body: bytes, headers: { 'content-type': contentType } });
    assert.equal(put.status, 200, await put.text());
    return res.json().objectKey as string;
  }

  const submission = (assignmentId: string, objectKey: string, bytes: Uint8Array, over: object = {}) => ({
    assignmentId, objectKey, sha256: sha(bytes), latitude: 38.7001, longitude: -9.1002, accuracyM: 5,
    capturedAt: new Date(Date.now() - 60_000).toISOString(), device: { platform: 'android', model: 'Pixel 8' },
    idempotencyKey: `idem-${randomUUID()}`, ...over,
  });

  const approve = (actionId: string, score = 90) => db.sql.query(
    `INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision) VALUES (gen_random_uuid(), $1, $2, 0.9, '{}', 'test-verifier-1', 'approve')`,
    [actionId, score]);
  const count = async (sql: string, params: unknown[] = []) => Number((await db.sql.query(sql, params)).rows[0].n);

  it('upload → submit → verify job → approve → impact: ledger, stats, quest completed', async () => {
    const { missionId, assignmentId } = await startQuest(player);
    const key = await upload(player, assignmentId, jpeg);
    assert.ok(key.startsWith(`proofs/${player.player.id}/`));
    const res = await post('/api/proof/submit', player.accessToken, submission(assignmentId, key, jpeg));
    assert.equal(res.statusCode, 200, res.body);
    const proof = res.json();
    assert.equal(proof.status, 'pending');
    assert.deepEqual(proof.device, { platform: 'android', model: 'Pixel 8' });
    assert.equal(proof.evidence[0].mediaType, 'image/jpeg');
    assert.deepEqual([proof.evidence[0].width, proof.evidence[0].height], [64, 48]);
    const job = await verify.getJob(proof.id);
    assert.ok(job, 'verify job enqueued');
    assert.deepEqual(job.data, { actionId: proof.id });
    assert.equal((await db.sql.query('SELECT status FROM quest_assignments WHERE id = $1', [assignmentId])).rows[0].status, 'submitted');
    assert.equal((await db.sql.query('SELECT octet_length(salt) AS n FROM evidence WHERE action_id = $1', [proof.id])).rows[0].n, 32);

    const shown = await get(`/api/proof/${proof.id}`, player.accessToken);
    assert.equal(shown.statusCode, 200, shown.body);
    assert.equal(shown.json().verification, null);
    const media = await fetch(shown.json().mediaUrls[0]);
    assert.equal(sha(new Uint8Array(await media.arrayBuffer())), sha(jpeg));
    assert.equal((await get(`/api/proof/${proof.id}`, other.accessToken)).statusCode, 403);
    assert.equal((await get(`/api/proof/${proof.id}`, admin.accessToken)).statusCode, 200);
    const list = await get('/api/proof/list?limit=10', player.accessToken);
    assert.deepEqual(list.json().proofs.map((p: { id: string }) => p.id), [proof.id]);

    assert.equal((await post('/api/impact/calculate', admin.accessToken, { actionId: proof.id })).json().error.code, 'NOT_APPROVED');
    await approve(proof.id);
    const applied = await applyImpact(pool, proof.id);
    assert.equal(applied.entry.created, true);
    const b = applied.breakdown;
    assert.ok(b);
    assert.equal(b.multipliersBps.zone, 15_000);
    assert.equal(b.multipliersBps.difficulty, 11_000);
    assert.ok(b.xp > 100 && b.heart > 10n ** 18n);
    const again = await post('/api/impact/calculate', admin.accessToken, { actionId: proof.id });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().created, false);
    assert.equal(again.json().seq, applied.entry.seq.toString());

    const ledger = (await get('/api/impact/ledger')).json();
    assert.equal(ledger.total, 1);
    assert.equal(ledger.entries[0].playerAddress, player.player.address.toLowerCase());
    assert.equal(ledger.entries[0].xp, b.xp);
    assert.equal(ledger.entries[0].heart, b.heart.toString());
    assert.equal(ledger.entries[0].entryHash, Buffer.from(applied.entry.entryHash).toString('hex'));
    const dist = (await get('/api/impact/distribution')).json();
    assert.equal(dist.total, b.heart.toString());
    assert.equal(BigInt(dist.local), (b.heart * 6000n) / 10000n);

    const inv = (await get(`/api/player/${player.player.id}/inventory`, player.accessToken)).json();
    assert.equal(inv.xp, b.xp);
    assert.equal(inv.heartEarned, b.heart.toString());
    assert.ok(Number(inv.impactCredits) > 0);
    assert.deepEqual(inv.badges.map((x: { code: string }) => x.code), ['first-deed']);
    assert.deepEqual(inv.completedMissions.map((m: { missionId: string }) => m.missionId), [missionId]);
    assert.equal((await db.sql.query('SELECT status FROM actions WHERE id = $1', [proof.id])).rows[0].status, 'approved');
    assert.equal((await get(`/api/proof/${proof.id}`, player.accessToken)).json().verification.decision, 'approve');
    const done = await post(`/api/quest/${missionId}/complete`, player.accessToken, {});
    assert.equal(done.statusCode, 409);
    assert.equal(done.json().error.code, 'QUEST_ALREADY_COMPLETED');
  });

  it('POST /api/quest/:id/complete applies an approved proof once; a second completion is 409', async () => {
    const { missionId, assignmentId } = await startQuest(player, 'Complete me');
    const key = await upload(player, assignmentId, jpeg);
    const proof = (await post('/api/proof/submit', player.accessToken, submission(assignmentId, key, jpeg))).json();
    const early = await post(`/api/quest/${missionId}/complete`, player.accessToken, {});
    assert.equal(early.json().error.code, 'PROOF_NOT_APPROVED');
    await approve(proof.id, 70);
    const done = await post(`/api/quest/${missionId}/complete`, player.accessToken, {});
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().created, true);
    assert.equal(done.json().breakdown.multipliersBps.authenticity, 8_500);
    const twice = await post(`/api/quest/${missionId}/complete`, player.accessToken, {});
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().error.code, 'QUEST_ALREADY_COMPLETED');
    assert.equal(await count('SELECT count(*) AS n FROM ledger_entries WHERE action_id = $1', [proof.id]), 1);
  });

  it('rejects bad evidence with a code and changes nothing', async () => {
    const { assignmentId } = await startQuest(player, 'Bad input');
    const before = await count('SELECT count(*) AS n FROM actions');
    const expectCode = async (payload: object, status: number, code: string, token = player.accessToken) => {
      const res = await post('/api/proof/submit', token, payload);
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().error.code, code);
    };
    const key = await upload(player, assignmentId, jpeg);
    await expectCode(submission(assignmentId, key, jpeg, { sha256: sha(png) }), 400, 'EVIDENCE_HASH_MISMATCH');
    const pngAsJpeg = await upload(player, assignmentId, png, 'image/jpeg');
    await expectCode(submission(assignmentId, pngAsJpeg, png), 400, 'EVIDENCE_TYPE_MISMATCH');
    const text = new TextEncoder().encode('definitely not a photo of a beach cleanup');
    const textAsJpeg = await upload(player, assignmentId, text, 'image/jpeg');
    await expectCode(submission(assignmentId, textAsJpeg, text), 400, 'EVIDENCE_TYPE_MISMATCH');
    const missing = `proofs/${player.player.id}/${randomUUID()}/media`;
    await expectCode(submission(assignmentId, missing, jpeg), 400, 'EVIDENCE_NOT_UPLOADED');
    const theirs = await startQuest(other, 'Theirs');
    const theirKey = await upload(other, theirs.assignmentId, jpeg);
    await expectCode(submission(assignmentId, theirKey, jpeg), 403, 'EVIDENCE_NOT_OWNED');
    await expectCode({ ...submission(assignmentId, key, jpeg), extra: true }, 400, 'VALIDATION_FAILED');
    await expectCode(submission(assignmentId, `../${key}`, jpeg), 400, 'VALIDATION_FAILED');
    const big = await post('/api/proof/upload-url', player.accessToken, { assignmentId, contentType: 'image/jpeg', size: 15 * 1024 * 1024 + 1 });
    assert.equal(big.statusCode, 400);
    assert.equal(big.json().error.code, 'EVIDENCE_TOO_LARGE');
    const gif = await post('/api/proof/upload-url', player.accessToken, { assignmentId, contentType: 'image/gif', size: 10 });
    assert.equal(gif.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal((await post('/api/proof/upload-url', other.accessToken, { assignmentId, contentType: 'image/jpeg', size: 10 })).statusCode, 404);
    assert.equal(await count('SELECT count(*) AS n FROM actions'), before);
    assert.equal((await db.sql.query('SELECT status FROM quest_assignments WHERE id = $1', [assignmentId])).rows[0].status, 'active');
  });

  it('50 concurrent identical submissions → one action, one job, one ledger entry (via the impact worker)', async () => {
    const { assignmentId } = await startQuest(player, 'Concurrent');
    const key = await upload(player, assignmentId, jpeg);
    const body = submission(assignmentId, key, jpeg);
    const results = await Promise.all(Array.from({ length: 50 }, () => post('/api/proof/submit', player.accessToken, body)));
    assert.deepEqual([...new Set(results.map((r) => r.statusCode))], [200], results.find((r) => r.statusCode !== 200)?.body);
    const ids = new Set(results.map((r) => r.json().id as string));
    assert.equal(ids.size, 1);
    const [actionId] = [...ids] as [string];
    assert.equal(await count('SELECT count(*) AS n FROM actions WHERE idempotency_key = $1', [body.idempotencyKey]), 1);
    const jobs = await verify.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
    assert.equal(jobs.filter((j) => j.data.actionId === actionId).length, 1);
    const reused = await post('/api/proof/submit', player.accessToken, { ...body, sha256: sha(png) });
    assert.equal(reused.json().error.code, 'IDEMPOTENCY_KEY_REUSED');

    await approve(actionId);
    const worker = startImpactWorker(t.deps);
    try {
      for (let i = 0; i < 3; i++) await impact.add(IMPACT_JOB, { actionId }, jobOptions(actionId));
      const job = await impact.getJob(actionId);
      assert.ok(job);
      for (let i = 0; i < 600 && !(await job.isCompleted()); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(await job.isCompleted(), `impact job state: ${await job.getState()} ${job.failedReason ?? ''}`);
    } finally {
      await worker.close();
    }
    await Promise.all([applyImpact(pool, actionId), applyImpact(pool, actionId)]);
    assert.equal(await count('SELECT count(*) AS n FROM ledger_entries WHERE action_id = $1', [actionId]), 1);
    assert.equal(await count('SELECT count(*) AS n FROM ledger_entries'), 3);
    assert.equal(await count(`SELECT count(*) AS n FROM player_badges WHERE player_id = $1`, [player.player.id]), 1);
  });
});
