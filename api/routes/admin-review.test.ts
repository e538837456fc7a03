import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { IMPACT_QUEUE } from '../../lib/queues.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { startImpactWorker, type ImpactWorker } from '../impact/worker.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../testing.ts';

type Session = Awaited<ReturnType<typeof signIn>>;

describe('admin review queue', () => {
  let db: TestDatabase;
  let t: TestApp;
  let impact: Queue;
  let worker: ImpactWorker;
  let player: Session;
  let admin: Session;
  let zoneId: string;
  let otherZoneId: string;
  const prefix = `tr${randomBytes(5).toString('hex')}`;

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url, { VERIFIER_QUEUE_PREFIX: prefix });
    impact = new Queue(IMPACT_QUEUE, { connection: t.deps.redis, prefix });
    worker = startImpactWorker(t.deps);
    player = await signIn(t);
    const w = newWallet();
    await db.sql.query(`UPDATE players SET role = 'admin' WHERE id = $1`, [(await signIn(t, w)).player.id]);
    admin = await signIn(t, w);
    const zone = async (name: string) => (await db.sql.query(
      `INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES (gen_random_uuid(), $1, 'PT', 38.7, -9.1, 500) RETURNING id`, [name])).rows[0].id as string;
    zoneId = await zone('Lisbon');
    otherZoneId = await zone('Porto');
  });
  after(async () => {
    await worker.close();
    await impact.obliterate({ force: true });
    await impact.close();
    await t.close();
    await db.drop();
  });

  /** A proof the verifier scored: `decision` with `flags`, rule results and a model score. */
  async function scoredProof(decision: 'approve' | 'review' | 'reject', flags: string[], zone = zoneId): Promise<string> {
    const missionId = (await db.sql.query(
      `INSERT INTO missions (id, zone_id, title, description, type, base_xp, base_heart, duration_minutes, latitude, longitude)
       VALUES (gen_random_uuid(), $1, 'Cleanup', 'Litter', 'cleanup', 50, 1000, 60, 38.7, -9.1) RETURNING id`, [zone])).rows[0].id;
    const actionId = randomUUID();
    await db.sql.query(
      `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, status)
       VALUES ($1, $2, $3, $4, 38.7, -9.1, 5, now(), $5::"ActionStatus")`,
      [actionId, player.player.id, missionId, randomUUID(), decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'review']);
    await db.sql.query(
      `INSERT INTO evidence (id, action_id, object_key, sha256, media_type, size_bytes, salt, width, height)
       VALUES (gen_random_uuid(), $1, $2, $3, 'image/jpeg', 1000, $4, 640, 480)`,
      [actionId, `proof/${player.player.id}/${actionId}.jpg`, randomBytes(32).toString('hex'), randomBytes(32)]);
    await db.sql.query(
      `INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision)
       VALUES (gen_random_uuid(), $1, 30, 0.4, $2, 'm1', $3::"Decision")`, [actionId, flags, decision]);
    const rules = flags.map((f) => ({ name: f.split(':')[1], passed: false, severity: f.split(':')[0], detail: 'seeded' }));
    await db.sql.query('INSERT INTO verification_details (action_id, rules, model_score) VALUES ($1, $2, 0.3)', [actionId, JSON.stringify(rules)]);
    return actionId;
  }

  const list = (query = '', token = admin.accessToken) => t.app.inject({ method: 'GET', url: `/api/admin/review${query}`, headers: bearer(token) });
  const decide = (id: string, payload: object, token = admin.accessToken) => t.app.inject({ method: 'POST', url: `/api/admin/review/${id}`, headers: bearer(token), payload });
  const count = async (sql: string, params: unknown[] = []) => Number((await db.sql.query(sql, params)).rows[0].n);
  const snapshot = async () => ({
    decisions: await count('SELECT count(*) AS n FROM review_decisions'),
    audit: await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'review.decide'`),
    statuses: (await db.sql.query('SELECT id, status FROM actions ORDER BY id')).rows,
    verifications: (await db.sql.query('SELECT action_id, decision, authenticity, flags FROM verification_results ORDER BY action_id')).rows,
  });

  let geofence: string;
  let burst: string;
  let porto: string;

  it('lists pending proofs with flags, rule results, scores and evidence URLs; filters by flag and zone; pages', async () => {
    geofence = await scoredProof('review', ['hard:geofence']);
    burst = await scoredProof('review', ['soft:burst', 'soft:exif']);
    porto = await scoredProof('review', ['hard:geofence'], otherZoneId);
    await scoredProof('approve', []);
    await scoredProof('reject', ['hard:duplicate_media', 'hard:geofence']);

    const all = await list();
    assert.equal(all.statusCode, 200, all.body);
    const body = all.json();
    assert.equal(body.total, 3);
    assert.deepEqual(body.items.map((i: { id: string }) => i.id), [geofence, burst, porto]);
    const item = body.items[0];
    assert.equal(item.kind, 'proof');
    assert.equal(item.zoneId, zoneId);
    assert.deepEqual(item.flags, ['hard:geofence']);
    assert.deepEqual(item.rules, [{ name: 'geofence', passed: false, severity: 'hard', detail: 'seeded' }]);
    assert.deepEqual(item.scores, { authenticity: 30, confidence: 0.4, modelScore: 0.3, modelVersion: 'm1' });
    assert.equal(item.evidence.length, 1);
    assert.match(item.evidence[0].url, /X-Amz-Signature=/);
    assert.equal(item.proof.accuracyM, 5);

    assert.deepEqual((await list('?flag=geofence')).json().items.map((i: { id: string }) => i.id), [geofence, porto]);
    assert.deepEqual((await list('?flag=soft:exif')).json().items.map((i: { id: string }) => i.id), [burst]);
    assert.equal((await list('?flag=hard:burst')).json().total, 0);
    assert.deepEqual((await list(`?flag=geofence&zoneId=${otherZoneId}`)).json().items.map((i: { id: string }) => i.id), [porto]);
    const page = (await list('?kind=proof&limit=1&offset=1')).json();
    assert.deepEqual([page.items.length, page.items[0].id, page.total, page.limit, page.offset], [1, burst, 3, 1, 1]);
    const beyond = (await list('?limit=10&offset=10')).json();
    assert.deepEqual([beyond.items.length, beyond.total], [0, 3]);
  });

  it('refuses non-admins (403) and anonymous callers (401)', async () => {
    assert.equal((await list('', player.accessToken)).statusCode, 403);
    const r = await decide(geofence, { decision: 'approve', reason: 'looks fine' }, player.accessToken);
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().error.code, 'FORBIDDEN');
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/admin/review' })).statusCode, 401);
    assert.equal(await count('SELECT count(*) AS n FROM review_decisions'), 0);
  });

  it('answers 400 to bad input and changes nothing', async () => {
    for (const q of ['?limit=0', '?flag=Bad%20Flag', '?zoneId=nope', '?kind=video', '?sort=asc']) assert.equal((await list(q)).statusCode, 400, q);
    const before = await snapshot();
    const bad: [string, object][] = [
      [geofence, { decision: 'approve' }],
      [geofence, { decision: 'maybe', reason: 'x' }],
      [geofence, { decision: 'reject', reason: '' }],
      [geofence, { decision: 'reject', reason: '   ' }],
      [geofence, { decision: 'reject', reason: 'x'.repeat(1001) }],
      [geofence, { decision: 'reject', reason: 'x', extra: 1 }],
      [geofence, { kind: 'video', decision: 'reject', reason: 'x' }],
      ['not-a-uuid', { decision: 'reject', reason: 'x' }],
    ];
    for (const [id, payload] of bad) {
      const r = await decide(id, payload);
      assert.equal(r.statusCode, 400, JSON.stringify(payload));
      assert.equal(r.json().error.code, 'VALIDATION_FAILED');
    }
    assert.equal((await decide(randomUUID(), { decision: 'reject', reason: 'x' })).statusCode, 404);
    assert.equal((await decide(geofence, { kind: 'comment', decision: 'reject', reason: 'x' })).statusCode, 404, 'no comment has that id');
    const approved = await scoredProof('approve', []);
    const notInReview = await decide(approved, { decision: 'reject', reason: 'second thoughts' });
    assert.equal(notInReview.statusCode, 409);
    assert.equal(notInReview.json().error.code, 'NOT_IN_REVIEW');
    assert.deepEqual({ ...(await snapshot()), statuses: before.statuses, verifications: before.verifications }, before);
  });

  it('rejects with a reason, audited, as a new record; the same decision again returns it, a different one is 409; neither changes anything', async () => {
    const r = await decide(burst, { decision: 'reject', reason: 'ten proofs in a minute' });
    assert.equal(r.statusCode, 200, r.body);
    const { decidedAt, ...outcome } = r.json() as Record<string, unknown>;
    assert.deepEqual(outcome, { kind: 'proof', id: burst, decision: 'reject', reason: 'ten proofs in a minute', reviewerId: admin.player.id });
    assert.ok(!Number.isNaN(Date.parse(String(decidedAt))));
    const v = (await db.sql.query('SELECT decision, flags FROM verification_results WHERE action_id = $1', [burst])).rows;
    assert.deepEqual(v, [{ decision: 'review', flags: ['soft:burst', 'soft:exif'] }], "the verifier's record is untouched");
    assert.equal((await db.sql.query('SELECT status FROM actions WHERE id = $1', [burst])).rows[0].status, 'rejected');
    const audit = (await db.sql.query(`SELECT actor_id, target, data FROM audit_log WHERE action = 'review.decide'`)).rows;
    assert.equal(audit.length, 1);
    assert.equal(audit[0].actor_id, admin.player.id);
    assert.equal(audit[0].target, `proof:${burst}`);
    assert.deepEqual([audit[0].data.decision, audit[0].data.reason], ['reject', 'ten proofs in a minute']);
    assert.ok(!(await list()).json().items.some((i: { id: string }) => i.id === burst), 'a decided item leaves the queue');
    await assert.rejects(db.sql.query(`UPDATE review_decisions SET reason = 'edited' WHERE subject_id = $1`, [burst]), /append-only/);

    const before = await snapshot();
    const same = await decide(burst, { decision: 'reject', reason: 'again' });
    assert.equal(same.statusCode, 200, same.body);
    assert.deepEqual(same.json(), r.json(), 'the first outcome, not a new one');
    const different = await decide(burst, { decision: 'approve', reason: 'again' });
    assert.equal(different.statusCode, 409);
    assert.equal(different.json().error.code, 'ALREADY_DECIDED');
    assert.deepEqual(await snapshot(), before);
    assert.equal(await impact.getJob(burst), undefined, 'a rejected proof never reaches the impact engine');
  });

  it('approves through the impact engine: exactly one ledger entry, even when approved twice at once', async () => {
    const [a, b] = await Promise.all([
      decide(geofence, { decision: 'approve', reason: 'park boundary is wrong on the map' }),
      decide(geofence, { decision: 'approve', reason: 'park boundary is wrong on the map' }),
    ]);
    assert.deepEqual([a.statusCode, b.statusCode], [200, 200]);
    assert.equal(a.json().decidedAt, b.json().decidedAt, 'one decision, returned to both');
    const job = await impact.getJob(geofence);
    assert.ok(job, 'the approve is handed to apply-impact like an automatic one');
    for (let i = 0; i < 600 && !(await job.isCompleted()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(await job.isCompleted(), `impact job state: ${await job.getState()} ${(await impact.getJob(geofence))?.failedReason ?? ''}`);
    assert.equal(await count('SELECT count(*) AS n FROM ledger_entries WHERE action_id = $1', [geofence]), 1);
    assert.equal((await db.sql.query('SELECT status FROM actions WHERE id = $1', [geofence])).rows[0].status, 'approved');
    assert.equal((await db.sql.query('SELECT decision FROM verification_results WHERE action_id = $1', [geofence])).rows[0].decision, 'review');

    const again = await decide(geofence, { decision: 'approve', reason: 'once more' });
    assert.deepEqual([again.statusCode, again.json().reason], [200, 'park boundary is wrong on the map']);
    assert.equal((await decide(geofence, { decision: 'reject', reason: 'changed my mind' })).json().error.code, 'ALREADY_DECIDED');
    assert.equal(await count('SELECT count(*) AS n FROM ledger_entries'), 1);
    assert.equal(await count(`SELECT count(*) AS n FROM audit_log WHERE action = 'review.decide' AND target = $1`, [`proof:${geofence}`]), 1);
  });

  it('one queue for both kinds: proofs and held comments merged oldest first, filtered by kind, each decided through its own domain', async () => {
    const held = await t.app.inject({
      method: 'POST', url: '/api/social/comment', headers: bearer(player.accessToken),
      payload: { zoneId, body: 'You are a fucking idiot', clientKey: `k-${randomUUID()}` },
    });
    assert.equal(held.json().status, 'pending', held.body);
    const commentId = held.json().id as string;
    const all = (await list()).json();
    assert.deepEqual(all.items.map((i: { kind: string; id: string }) => [i.kind, i.id]), [['proof', porto], ['comment', commentId]]);
    assert.equal(all.total, 2);
    assert.deepEqual((await list('?kind=comment')).json().items.map((i: { id: string }) => i.id), [commentId]);
    assert.deepEqual((await list('?kind=proof')).json().items.map((i: { id: string }) => i.id), [porto]);
    assert.deepEqual((await list('?limit=1&offset=1')).json().items.map((i: { id: string }) => i.id), [commentId]);
    assert.deepEqual((await list('?flag=insult')).json().items.map((i: { id: string }) => i.id), [commentId]);

    const shown = await decide(commentId, { kind: 'comment', decision: 'approve', reason: 'quoting a film' });
    assert.equal(shown.statusCode, 200, shown.body);
    assert.deepEqual([shown.json().kind, shown.json().decision, shown.json().reviewerId], ['comment', 'approve', admin.player.id]);
    assert.equal((await db.sql.query('SELECT status FROM comments WHERE id = $1', [commentId])).rows[0].status, 'visible');
    assert.equal((await decide(commentId, { kind: 'comment', decision: 'reject', reason: 'no' })).json().error.code, 'ALREADY_DECIDED');
    assert.equal(await count(`SELECT count(*) AS n FROM audit_log WHERE target = $1`, [`comment:${commentId}`]), 1);
    assert.deepEqual((await list()).json().items.map((i: { id: string }) => i.id), [porto]);
  });
});
