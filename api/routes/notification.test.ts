import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import pg from 'pg';
import { createLogger } from '../../lib/logger.ts';
import { notify, type NotifyInput } from '../../lib/notify.ts';
import { NOTIFY_DEAD_LETTER_QUEUE } from '../../lib/queues.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { startNotificationWorkers, type NotificationWorkers } from '../notifications/workers.ts';
import { bearer, signIn, testApp, type TestApp } from '../testing.ts';

type Session = Awaited<ReturnType<typeof signIn>>;

/** Polls `fn` until it returns a truthy value (a bound so a broken path fails instead of hanging; not a timing assertion). */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A loopback webhook receiver that checks Standard Webhooks signatures independently of our signer. */
async function receiver(secret: () => string, statusFor: (attempt: number) => number) {
  const got: { id: string; body: string; validSignature: boolean; status: number }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const ts = String(req.headers['webhook-timestamp']);
      const key = Buffer.from(secret().replace(/^whsec_/, ''), 'base64');
      const expected = `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
      const status = statusFor(got.length + 1);
      got.push({ id, body, validSignature: req.headers['webhook-signature'] === expected && Math.abs(Date.now() / 1000 - Number(ts)) < 300, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** An SSE client over a real socket: collects events and comments. */
function openStream(baseUrl: string, token: string | null, headers: Record<string, string> = {}) {
  const events: { id: string; event: string; data: Record<string, unknown> }[] = [];
  let comments = 0;
  let buffer = '';
  let status = 0;
  let contentType = '';
  const req = http.get(`${baseUrl}/api/notification/stream`, { headers: { ...(token ? bearer(token) : {}), ...headers } }, (res) => {
    status = res.statusCode ?? 0;
    contentType = String(res.headers['content-type']);
    res.on('data', (c: Buffer) => {
      buffer += c.toString();
      let i;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (block.startsWith(':')) comments++;
        else {
          const f = Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
          events.push({ id: f.id ?? '', event: f.event ?? '', data: JSON.parse(f.data ?? '{}') as Record<string, unknown> });
        }
      }
    });
  });
  req.on('error', () => undefined);
  return { events, get comments() { return comments; }, get status() { return status; }, get contentType() { return contentType; }, close: () => req.destroy() };
}

describe('notifications: list, read, preferences, signed webhooks, live SSE stream', () => {
  let db: TestDatabase;
  let t: TestApp;
  let other: TestApp;
  let workers: NotificationWorkers;
  let pool: pg.Pool;
  let alice: Session;
  let bob: Session;
  let baseUrl: string;
  let otherUrl: string;
  const queuePrefix = `nt-${randomBytes(4).toString('hex')}`;

  before(async () => {
    db = await freshDatabase();
    const env = { VERIFIER_QUEUE_PREFIX: queuePrefix, NOTIFY_ATTEMPTS: '3', NOTIFY_BACKOFF_MS: '20', NOTIFY_SSE_HEARTBEAT_MS: '50', NOTIFY_SWEEP_MS: '200' };
    t = await testApp(db.url, env);
    other = await testApp(db.url, { ...env, REDIS_PREFIX: t.deps.config.REDIS_PREFIX }); // a second API instance
    workers = await startNotificationWorkers(t.deps, createLogger('test', 'silent'));
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    [alice, bob] = await Promise.all([signIn(t), signIn(t)]);
    baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
    otherUrl = await other.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await workers.queue.obliterate({ force: true });
    await workers.close();
    await pool.end();
    await other.close();
    await t.close();
    await db.drop();
  });

  const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, s: Session | null, payload?: object) =>
    t.app.inject({ method, url, headers: s ? bearer(s.accessToken) : {}, ...(payload ? { payload } : {}) });
  let n = 0;
  const verified = (s: Session): NotifyInput => {
    n++;
    return { playerId: s.player.id, kind: 'proof_verified', dedupeKey: `v-${n}`, payload: { actionId: randomUUID(), seq: String(n), xp: 10, heart: '1', impactCredits: '1.0000' } };
  };

  it('lists newest first with cursor pagination and an unread filter; only your own', async () => {
    for (let i = 0; i < 5; i++) await notify(pool, verified(alice));
    await notify(pool, verified(bob));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await inject('GET', `/api/notification/list?limit=2${cursor ? `&cursor=${cursor}` : ''}`, alice);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.ok(body.notifications.length <= 2);
      assert.equal(body.unread, 5);
      seen.push(...body.notifications.map((x: { id: string }) => x.id));
      cursor = body.nextCursor;
    } while (cursor);
    const all = (await db.sql.query('SELECT id FROM notifications WHERE player_id = $1 ORDER BY created_at DESC, id DESC', [alice.player.id])).rows.map((r) => r.id);
    assert.deepEqual(seen, all);

    assert.equal((await inject('GET', '/api/notification/list', null)).statusCode, 401);
    for (const bad of ['limit=0', 'limit=101', 'unread=yes', 'cursor=%3D%3D', 'extra=1']) {
      const res = await inject('GET', `/api/notification/list?${bad}`, alice);
      assert.equal(res.statusCode, 400, `${bad}: ${res.body}`);
    }
    const forged = Buffer.from('not-a-date|x').toString('base64url');
    assert.equal((await inject('GET', `/api/notification/list?cursor=${forged}`, alice)).json().error.code, 'BAD_CURSOR');
  });

  it('marks read idempotently, never another player\'s', async () => {
    const id = await notify(pool, verified(alice));
    const bobs = await notify(pool, verified(bob));
    const first = await inject('PATCH', `/api/notification/${id}/read`, alice);
    assert.equal(first.statusCode, 200, first.body);
    assert.ok(first.json().readAt);
    const again = await inject('PATCH', `/api/notification/${id}/read`, alice);
    assert.equal(again.json().readAt, first.json().readAt, 'the first read time is kept');
    const unread = (await inject('GET', '/api/notification/list?unread=true&limit=100', alice)).json();
    assert.ok(!unread.notifications.some((x: { id: string }) => x.id === id));

    const theft = await inject('PATCH', `/api/notification/${bobs}/read`, alice);
    assert.equal(theft.statusCode, 404);
    assert.equal((await db.sql.query('SELECT read_at FROM notifications WHERE id = $1', [bobs])).rows[0].read_at, null);
    assert.equal((await inject('PATCH', '/api/notification/not-a-uuid/read', alice)).statusCode, 400);
    assert.equal((await inject('PATCH', `/api/notification/${id}/read`, null)).statusCode, 401);
  });

  it('stores preferences per kind × channel (idempotent) and notify honours them', async () => {
    assert.equal((await inject('GET', '/api/notification/preferences', bob)).json().preferences.badge_earned.in_app, true);
    const body = { preferences: [{ kind: 'badge_earned', channel: 'in_app', enabled: false }, { kind: 'badge_earned', channel: 'webhook', enabled: false }, { kind: 'badge_earned', channel: 'push', enabled: true }] };
    const res = await inject('POST', '/api/notification/preferences', bob, body);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().preferences.badge_earned, { in_app: false, webhook: false, email: false, push: true, sms: false });
    assert.deepEqual((await inject('POST', '/api/notification/preferences', bob, body)).json(), res.json());
    const id = await notify(pool, { playerId: bob.player.id, kind: 'badge_earned', dedupeKey: 'b1', payload: { code: 'x', name: 'X' } });
    assert.deepEqual((await db.sql.query('SELECT channels FROM notifications WHERE id = $1', [id])).rows[0].channels, ['push']);
    assert.ok(!(await inject('GET', '/api/notification/list?limit=100', bob)).json().notifications.some((x: { id: string }) => x.id === id), 'not in-app');

    const before = (await db.sql.query('SELECT count(*)::int AS n FROM notification_preferences')).rows[0].n;
    for (const bad of [
      { preferences: [] },
      { preferences: [{ kind: 'nope', channel: 'in_app', enabled: true }] },
      { preferences: [{ kind: 'badge_earned', channel: 'fax', enabled: true }] },
      { preferences: [{ kind: 'badge_earned', channel: 'sms', enabled: 'yes' }] },
      { preferences: [{ kind: 'badge_earned', channel: 'sms', enabled: true }, { kind: 'badge_earned', channel: 'sms', enabled: false }] },
    ]) {
      const r = await inject('POST', '/api/notification/preferences', bob, bad);
      assert.equal(r.statusCode, 400, r.body);
    }
    assert.equal((await db.sql.query('SELECT count(*)::int AS n FROM notification_preferences')).rows[0].n, before, 'bad input changes nothing');
    assert.equal((await inject('POST', '/api/notification/preferences', null, body)).statusCode, 401);
  });

  it('delivers signed webhooks to a loopback receiver: retried on failure, dead-lettered after the last attempt', async () => {
    let secret = '';
    const flaky = await receiver(() => secret, (attempt) => (attempt < 3 ? 503 : 204));
    const sub = await inject('POST', '/api/notification/webhooks', alice, { url: flaky.url });
    assert.equal(sub.statusCode, 201, sub.body);
    secret = sub.json().secret;
    assert.match(secret, /^whsec_/);
    const repeat = await inject('POST', '/api/notification/webhooks', alice, { url: flaky.url });
    assert.equal(repeat.statusCode, 200);
    assert.equal(repeat.json().id, sub.json().id);
    for (const bad of [{ url: 'ftp://x' }, { url: 'not a url' }, {}, { url: flaky.url, extra: 1 }]) {
      assert.equal((await inject('POST', '/api/notification/webhooks', alice, bad)).statusCode, 400);
    }
    assert.equal((await inject('POST', '/api/notification/webhooks', null, { url: flaky.url })).statusCode, 401);
    const racing = await Promise.all([1, 2].map(() => inject('POST', '/api/notification/webhooks', bob, { url: `${flaky.url}/race` })));
    assert.deepEqual(racing.map((r) => r.statusCode).sort(), [200, 201]);
    assert.equal(racing[0]!.json().id, racing[1]!.json().id);
    await db.sql.query('UPDATE webhook_subscriptions SET disabled_at = now() WHERE id = $1', [racing[0]!.json().id]);

    const id = await notify(pool, verified(alice));
    const delivery = await waitFor('delivery', async () =>
      (await db.sql.query(`SELECT * FROM webhook_deliveries WHERE event_key = $1 AND status = 'delivered'`, [id])).rows[0]);
    assert.equal(delivery.attempts, 3);
    assert.equal(delivery.last_status, 204);
    assert.equal(flaky.got.length, 3);
    assert.ok(flaky.got.every((g) => g.validSignature && g.id === delivery.id), 'every attempt is signed, with the same webhook-id');
    const body = JSON.parse(flaky.got[2]!.body);
    assert.equal(body.type, 'notification.proof_verified');
    assert.equal(body.data.id, id);
    await flaky.close();

    // A receiver that always fails: 3 attempts, then 'dead' and a copy in the dead-letter queue.
    let deadSecret = '';
    const down = await receiver(() => deadSecret, () => 500);
    deadSecret = (await inject('POST', '/api/notification/webhooks', bob, { url: down.url })).json().secret;
    const lost = await notify(pool, verified(bob));
    const dead = await waitFor('dead letter', async () =>
      (await db.sql.query(`SELECT * FROM webhook_deliveries WHERE event_key = $1 AND status = 'dead'`, [lost])).rows[0]);
    assert.equal(dead.attempts, 3);
    assert.equal(dead.last_status, 500);
    assert.ok(down.got.every((g) => g.validSignature));
    const dlq = new Queue(NOTIFY_DEAD_LETTER_QUEUE, { connection: workers.deliveries.deadLetter.opts.connection, prefix: queuePrefix });
    const job = await waitFor('dead-letter job', () => dlq.getJob(`webhook-${dead.id}`));
    assert.equal(job.data.deliveryId, dead.id);
    assert.match(job.data.error, /500/);
    await dlq.close();
    await down.close();
  });

  it('streams live notifications over SSE on any API instance, with heartbeats and Last-Event-ID replay', async () => {
    const refused = openStream(baseUrl, null);
    await waitFor('401', () => refused.status);
    assert.equal(refused.status, 401);
    refused.close();

    const here = openStream(baseUrl, alice.accessToken);
    const there = openStream(otherUrl, alice.accessToken); // the dispatcher runs only with the first instance
    const bobs = openStream(otherUrl, bob.accessToken);
    await waitFor('both streams open', () => here.comments > 1 && there.comments > 1); // ": connected" and at least one ": ping"
    assert.match(here.contentType, /^text\/event-stream/);

    const first = await notify(pool, verified(alice));
    const second = await notify(pool, verified(alice));
    await waitFor('events on both instances', () => here.events.length >= 2 && there.events.length >= 2);
    for (const s of [here, there]) {
      assert.deepEqual(s.events.map((e) => e.id), [first, second]);
      assert.equal(s.events[0]!.event, 'notification');
      assert.equal(s.events[0]!.data.kind, 'proof_verified');
    }
    assert.equal(bobs.events.length, 0, "nobody sees another player's notifications");
    here.close();

    // Reconnect with the last id seen: what was dispatched meanwhile is replayed first.
    const third = await notify(pool, verified(alice));
    await waitFor('third on the open stream', () => there.events.some((e) => e.id === third));
    const resumed = openStream(baseUrl, alice.accessToken, { 'last-event-id': first! });
    await waitFor('replay', () => resumed.events.length >= 2);
    assert.deepEqual(resumed.events.map((e) => e.id), [second, third]);
    for (const s of [there, bobs, resumed]) s.close();
  });
});
