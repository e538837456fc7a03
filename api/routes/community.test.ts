import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { OFFENDER_LIMIT } from '../../community/comments.ts';
import { action, mission, signInAdmin, zone } from '../../community/testing.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { bearer, signIn, testApp, type TestApp } from '../testing.ts';

type Session = Awaited<ReturnType<typeof signIn>>;

describe('comments with moderation, and the admin moderation queue', () => {
  let db: TestDatabase;
  let t: TestApp;
  let ana: Session;
  let bo: Session;
  let admin: Session;
  let zoneId: string;
  let otherZone: string;
  let actionId: string;

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    [ana, bo] = await Promise.all([signIn(t), signIn(t)]);
    admin = await signInAdmin(t, db.sql);
    await db.sql.query(`UPDATE players SET display_name = 'Ana' WHERE id = $1`, [ana.player.id]);
    zoneId = await zone(db.sql, 'Lisbon');
    otherZone = await zone(db.sql, 'Porto');
    actionId = await action(db.sql, bo.player.id, await mission(db.sql, otherZone));
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const comment = (s: Session | null, payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/social/comment', headers: s ? bearer(s.accessToken) : {}, payload });
  const community = (z: string, query = '') => t.app.inject({ method: 'GET', url: `/api/social/community/${z}${query}` });
  const count = async (sql: string, params: unknown[] = []) => Number((await db.sql.query(sql, params)).rows[0].n);
  const key = () => `key-${randomUUID()}`;

  it('shows a clean comment at once and holds a toxic one for review', async () => {
    const clean = await comment(ana, { zoneId, body: '  Great cleanup today, thank you all!  ', clientKey: key() });
    assert.equal(clean.statusCode, 201, clean.body);
    assert.equal(clean.json().status, 'visible');
    assert.equal(clean.json().body, 'Great cleanup today, thank you all!');
    assert.deepEqual(clean.json().flags, []);
    assert.ok(clean.json().sentiment > 0);

    const toxic = await comment(bo, { zoneId, body: 'You are a fucking idiot', clientKey: key() });
    assert.equal(toxic.statusCode, 201, toxic.body);
    assert.equal(toxic.json().status, 'pending');
    assert.deepEqual(toxic.json().flags, ['profanity', 'insult']);
    assert.ok(toxic.json().sentiment < 0);

    const page = await community(zoneId);
    assert.equal(page.statusCode, 200, page.body);
    assert.deepEqual(page.json().comments.map((c: { body: string }) => c.body), ['Great cleanup today, thank you all!']);
    assert.equal(page.json().comments[0].authorName, 'Ana');
    assert.equal(page.json().nextCursor, null);
  });

  it('puts a comment on an action into the action\'s zone', async () => {
    const res = await comment(ana, { actionId, body: 'Nice work on the river bank', clientKey: key() });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual([res.json().zoneId, res.json().actionId], [otherZone, actionId]);
    const listed = (await community(otherZone)).json().comments;
    assert.deepEqual(listed.map((c: { actionId: string }) => c.actionId), [actionId]);
  });

  it('is idempotent per client key, also under concurrent retries', async () => {
    const body = { zoneId, body: 'See you at the beach on Saturday', clientKey: key() };
    const results = await Promise.all(Array.from({ length: 8 }, () => comment(ana, body)));
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
    assert.equal(new Set(results.map((r) => r.json().id)).size, 1);
    assert.equal(await count('SELECT count(*) AS n FROM comments WHERE client_key = $1', [body.clientKey]), 1);
    const reused = await comment(ana, { ...body, body: 'something else' });
    assert.equal(reused.statusCode, 409);
    assert.equal(reused.json().error.code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal((await comment(bo, body)).statusCode, 201, 'keys are per author');
  });

  it('refuses bad input with a clear 4xx and stores nothing', async () => {
    const before = await count('SELECT count(*) AS n FROM comments');
    const cases: [object, number, string][] = [
      [{ body: 'no target', clientKey: key() }, 400, 'VALIDATION_FAILED'],
      [{ zoneId, actionId, body: 'two targets', clientKey: key() }, 400, 'VALIDATION_FAILED'],
      [{ zoneId, body: 'x'.repeat(1001), clientKey: key() }, 400, 'VALIDATION_FAILED'],
      [{ zoneId, body: '', clientKey: key() }, 400, 'VALIDATION_FAILED'],
      [{ zoneId, body: '   \n  ', clientKey: key() }, 400, 'EMPTY_COMMENT'],
      [{ zoneId, body: 'bell \u0007', clientKey: key() }, 400, 'VALIDATION_FAILED'],
      [{ zoneId, body: 'short key', clientKey: 'k' }, 400, 'VALIDATION_FAILED'],
      [{ zoneId, body: 'extra', clientKey: key(), extra: true }, 400, 'VALIDATION_FAILED'],
      [{ zoneId: randomUUID(), body: 'unknown zone', clientKey: key() }, 404, 'NOT_FOUND'],
      [{ actionId: randomUUID(), body: 'unknown action', clientKey: key() }, 404, 'NOT_FOUND'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await comment(ana, payload);
      assert.equal(res.statusCode, status, `${JSON.stringify(payload).slice(0, 60)}: ${res.body}`);
      assert.equal(res.json().error.code, code);
    }
    assert.equal(await count('SELECT count(*) AS n FROM comments'), before);
  });

  it('needs a signed-in player', async () => {
    const body = { zoneId, body: 'hello', clientKey: key() };
    assert.equal((await comment(null, body)).statusCode, 401);
    assert.equal((await comment(admin, body)).json().error.code, 'FORBIDDEN');
  });

  it('pages visible comments newest first with a cursor', async () => {
    const z = await zone(db.sql, 'Faro');
    for (let i = 0; i < 5; i++) assert.equal((await comment(ana, { zoneId: z, body: `note ${i}`, clientKey: key() })).statusCode, 201);
    // distinct times, so the order does not depend on two requests landing in different milliseconds
    await db.sql.query(`UPDATE comments SET created_at = now() - interval '1 hour' + right(body, 1)::int * interval '1 minute' WHERE zone_id = $1`, [z]);
    const first = (await community(z, '?limit=2')).json();
    assert.deepEqual(first.comments.map((c: { body: string }) => c.body), ['note 4', 'note 3']);
    const second = (await community(z, `?limit=2&cursor=${first.nextCursor}`)).json();
    assert.deepEqual(second.comments.map((c: { body: string }) => c.body), ['note 2', 'note 1']);
    const third = (await community(z, `?limit=2&cursor=${second.nextCursor}`)).json();
    assert.deepEqual([third.comments.map((c: { body: string }) => c.body), third.nextCursor], [['note 0'], null]);
    assert.equal((await community(z, '?cursor=bm90LWEtY3Vyc29y')).json().error.code, 'BAD_CURSOR');
    assert.equal((await community(z, '?limit=0')).statusCode, 400);
    assert.equal((await community(z, '?page=2')).statusCode, 400);
  });

  it('refuses repeat offenders with 429 REPEAT_OFFENDER until an admin clears a comment', async () => {
    const troll = await signIn(t);
    const post = (body: string) => comment(troll, { zoneId, body, clientKey: key() });
    for (let i = 0; i < OFFENDER_LIMIT; i++) assert.equal((await post(`you stupid loser number ${i}`)).json().status, 'pending');
    const refused = await post('A perfectly nice comment');
    assert.equal(refused.statusCode, 429, refused.body);
    assert.equal(refused.json().error.code, 'REPEAT_OFFENDER');
    assert.equal(refused.json().error.details.heldComments, OFFENDER_LIMIT);
    assert.equal(await count('SELECT count(*) AS n FROM comments WHERE author_id = $1', [troll.player.id]), OFFENDER_LIMIT);

    const held = (await db.sql.query(`SELECT id FROM comments WHERE author_id = $1 ORDER BY created_at LIMIT 1`, [troll.player.id])).rows[0].id;
    const approve = await t.app.inject({ method: 'POST', url: `/api/admin/review/${held}`, headers: bearer(admin.accessToken), payload: { kind: 'comment', decision: 'approve', reason: 'banter between friends' } });
    assert.equal(approve.statusCode, 200, approve.body);
    assert.equal((await post('A perfectly nice comment')).statusCode, 201);
  });

  describe('admin review queue: comments', () => {
    const queue = (s: Session | null, query = '') => t.app.inject({ method: 'GET', url: `/api/admin/review?kind=comment${query}`, headers: s ? bearer(s.accessToken) : {} });
    const decide = (s: Session | null, id: string, payload: object) =>
      t.app.inject({ method: 'POST', url: `/api/admin/review/${id}`, headers: s ? bearer(s.accessToken) : {}, payload: { kind: 'comment', ...payload } });

    it('lists held comments as queue items of kind comment, oldest first, paged', async () => {
      const res = await queue(admin, '&limit=1');
      assert.equal(res.statusCode, 200, res.body);
      const [firstItem] = res.json().items;
      assert.equal(firstItem.kind, 'comment');
      assert.equal(firstItem.status, 'pending');
      assert.equal(firstItem.body, 'You are a fucking idiot');
      assert.deepEqual(firstItem.flags, ['profanity', 'insult']);
      assert.ok(res.json().total > 1);
      const next = await queue(admin, '&limit=1&offset=1');
      assert.notEqual(next.json().items[0].id, firstItem.id);
      assert.ok((await queue(admin, '&flag=insult')).json().items.every((i: { flags: string[] }) => i.flags.includes('insult')));
      assert.deepEqual((await queue(admin, `&zoneId=${randomUUID()}`)).json().items, []);
    });

    it('refuses non-admins and bad input', async () => {
      assert.equal((await queue(null)).statusCode, 401);
      assert.equal((await queue(ana)).statusCode, 403);
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/admin/review?kind=deleted', headers: bearer(admin.accessToken) })).statusCode, 400);
      const id = (await queue(admin)).json().items[0].id as string;
      assert.equal((await decide(null, id, { decision: 'reject', reason: 'abuse' })).statusCode, 401);
      assert.equal((await decide(ana, id, { decision: 'approve', reason: 'it is me' })).statusCode, 403);
      assert.equal((await decide(admin, id, { decision: 'delete', reason: 'abuse' })).statusCode, 400);
      assert.equal((await decide(admin, id, { decision: 'reject' })).statusCode, 400);
      assert.equal((await decide(admin, id, { decision: 'reject', reason: ' ' })).statusCode, 400);
      assert.equal((await decide(admin, 'not-a-uuid', { decision: 'reject', reason: 'abuse' })).statusCode, 400);
      assert.equal((await decide(admin, randomUUID(), { decision: 'reject', reason: 'abuse' })).statusCode, 404);
      assert.equal(await count(`SELECT count(*) AS n FROM comments WHERE id = $1 AND status = 'pending'`, [id]), 1, 'unchanged');
    });

    it('reject hides with a reason, audited once; the same decision again returns it; a different one is 409', async () => {
      const id = (await db.sql.query(`SELECT id FROM comments WHERE body = 'You are a fucking idiot'`)).rows[0].id as string;
      const audits = () => count(`SELECT count(*) AS n FROM audit_log WHERE target = $1`, [`comment:${id}`]);
      const hidden = await decide(admin, id, { decision: 'reject', reason: 'insult' });
      assert.equal(hidden.statusCode, 200, hidden.body);
      assert.deepEqual([hidden.json().kind, hidden.json().decision, hidden.json().reason, hidden.json().reviewerId], ['comment', 'reject', 'insult', admin.player.id]);
      const again = await Promise.all([decide(admin, id, { decision: 'reject', reason: 'insult' }), decide(admin, id, { decision: 'reject', reason: 'other words' })]);
      assert.deepEqual(again.map((r) => [r.statusCode, r.json().decidedAt, r.json().reason]), [[200, hidden.json().decidedAt, 'insult'], [200, hidden.json().decidedAt, 'insult']]);
      assert.equal(await audits(), 1);
      const log = (await db.sql.query(`SELECT actor_id, action, data FROM audit_log WHERE target = $1`, [`comment:${id}`])).rows[0];
      assert.deepEqual([log.actor_id, log.action, log.data.from, log.data.to, log.data.reason], [admin.player.id, 'moderation.comment.hide', 'pending', 'hidden', 'insult']);
      assert.ok(!(await community(zoneId)).json().comments.some((c: { id: string }) => c.id === id));
      assert.ok(!(await queue(admin)).json().items.some((i: { id: string }) => i.id === id), 'decided: out of the queue');

      const flip = await decide(admin, id, { decision: 'approve', reason: 'context: quoting a film' });
      assert.equal(flip.statusCode, 409, flip.body);
      assert.equal(flip.json().error.code, 'ALREADY_DECIDED');
      assert.equal(await audits(), 1);
      assert.equal(await count(`SELECT count(*) AS n FROM comments WHERE id = $1 AND status = 'hidden'`, [id]), 1, 'unchanged');
    });
  });
});
