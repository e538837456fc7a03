import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { PlayerAccess } from '../admin/access.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../testing.ts';

type Session = Awaited<ReturnType<typeof signIn>>;

describe('admin: dashboard and users', () => {
  let db: TestDatabase;
  let t: TestApp;
  let admin: Session;
  let player: Session;
  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    player = await signIn(t);
    const w = newWallet();
    await db.sql.query(`UPDATE players SET role = 'admin' WHERE id = $1`, [(await signIn(t, w)).player.id]);
    admin = await signIn(t, w);
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const as = (s: Session | null, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: s ? bearer(s.accessToken) : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
  const audits = async (target: string) =>
    (await db.sql.query<{ action: string; actor_id: string; data: Record<string, unknown> }>(
      'SELECT action, actor_id::text, data FROM audit_log WHERE target = $1 ORDER BY id', [target])).rows;

  it('GET /api/admin/dashboard answers admins with players, actions, ledger, epochs, queues and indexer', async () => {
    const res = await as(admin, 'GET', '/api/admin/dashboard');
    assert.equal(res.statusCode, 200, res.body);
    const d = res.json();
    assert.equal(d.players.total, 2);
    assert.deepEqual(d.players.byRole, { admin: 1, player: 1 });
    assert.equal(d.players.suspended, 0);
    assert.deepEqual(d.actions.today, { total: 0, byStatus: {} });
    assert.equal(d.ledger.entries, 0);
    assert.equal(d.epochs.latest, null);
    assert.deepEqual(d.epochs.byStatus, { closing: 0, exported: 0, anchoring: 0, anchored: 0 });
    assert.equal(d.queues['verify-proof'].waiting, 0);
    assert.equal(typeof d.indexer.head, 'number');
    assert.equal((await as(player, 'GET', '/api/admin/dashboard')).statusCode, 403);
    assert.equal((await as(null, 'GET', '/api/admin/dashboard')).statusCode, 401);
  });

  it('GET /api/admin/users searches by address, filters by role, paginates; refuses non-admins and bad queries', async () => {
    const all = await as(admin, 'GET', '/api/admin/users');
    assert.equal(all.statusCode, 200, all.body);
    assert.equal(all.json().total, 2);
    const byAddress = (await as(admin, 'GET', `/api/admin/users?q=${player.player.address.slice(0, 12).toUpperCase()}`)).json();
    assert.deepEqual(byAddress.users.map((u: { id: string }) => u.id), [player.player.id]);
    const admins = (await as(admin, 'GET', '/api/admin/users?role=admin')).json();
    assert.deepEqual(admins.users.map((u: { role: string }) => u.role), ['admin']);
    const paged = (await as(admin, 'GET', '/api/admin/users?limit=1&offset=1')).json();
    assert.equal(paged.users.length, 1);
    assert.equal(paged.total, 2);
    assert.equal((await as(admin, 'GET', '/api/admin/users?q=%25')).json().total, 0, 'LIKE wildcards are literal');
    assert.equal((await as(admin, 'GET', '/api/admin/users?role=king')).statusCode, 400);
    assert.equal((await as(admin, 'GET', '/api/admin/users?limit=1000')).statusCode, 400);
    assert.equal((await as(admin, 'GET', '/api/admin/users?sort=x')).statusCode, 400);
    assert.equal((await as(player, 'GET', '/api/admin/users')).statusCode, 403);
  });

  it('suspend refuses the player\'s tokens and refresh; repeat is a no-op; activate restores sign-in; both audited', async () => {
    const target = await signIn(t);
    assert.equal((await as(target, 'GET', `/api/player/${target.player.id}`)).statusCode, 200);
    const first = await as(admin, 'POST', `/api/admin/users/${target.player.id}/suspend`, { reason: 'spam' });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().changed, true);
    assert.equal(first.json().user.suspended, true);
    assert.equal(first.json().user.suspensionReason, 'spam');
    const again = await as(admin, 'POST', `/api/admin/users/${target.player.id}/suspend`, { reason: 'other' });
    assert.equal(again.json().changed, false);
    assert.equal(again.json().user.suspensionReason, 'spam');

    const refused = await as(target, 'GET', `/api/player/${target.player.id}`);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, 'ACCOUNT_SUSPENDED');
    const refresh = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: target.refreshToken } });
    assert.equal(refresh.statusCode, 401, 'refresh tokens were revoked');
    // another API instance (fresh: it loads from Postgres) refuses it too
    const other = await testApp(db.url);
    try {
      assert.equal((await other.app.inject({ url: `/api/player/${target.player.id}`, headers: bearer(target.accessToken) })).statusCode, 403);
    } finally {
      await other.close();
    }
    assert.equal((await as(admin, 'GET', '/api/admin/users?suspended=true')).json().total, 1);

    const on = await as(admin, 'POST', `/api/admin/users/${target.player.id}/activate`);
    assert.equal(on.statusCode, 200, on.body);
    assert.deepEqual([on.json().changed, on.json().user.suspended], [true, false]);
    assert.equal((await as(admin, 'POST', `/api/admin/users/${target.player.id}/activate`)).json().changed, false);
    assert.equal((await as(target, 'GET', `/api/player/${target.player.id}`)).statusCode, 200);

    const log = await audits(`player:${target.player.id}`);
    assert.deepEqual(log.map((r) => r.action), ['user.suspend', 'user.activate']);
    assert.ok(log.every((r) => r.actor_id === admin.player.id));
    assert.deepEqual(log[0]?.data, { reason: 'spam' });
  });

  it('role change: audited once, the old token stops working, a refreshed one carries the new role', async () => {
    const target = await signIn(t);
    await sleep(1001 - (Date.now() % 1000)); // tokens carry whole-second iat: the change happens in a later second
    const res = await as(admin, 'POST', `/api/admin/users/${target.player.id}/role`, { role: 'auditor' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([res.json().changed, res.json().user.role], [true, 'auditor']);
    assert.equal((await as(admin, 'POST', `/api/admin/users/${target.player.id}/role`, { role: 'auditor' })).json().changed, false);
    const stale = await as(target, 'GET', `/api/player/${target.player.id}`);
    assert.equal(stale.statusCode, 401);
    assert.equal(stale.json().error.code, 'SESSION_REVOKED');
    const refreshed = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: target.refreshToken } });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.equal(refreshed.json().player.role, 'auditor');
    assert.equal((await as(refreshed.json(), 'GET', '/api/admin/reports')).statusCode, 200, 'auditors read reports');
    const log = await audits(`player:${target.player.id}`);
    assert.deepEqual(log.map((r) => [r.action, r.data]), [['user.role', { from: 'player', to: 'auditor' }]]);
  });

  it('refuses bad input, unknown players, self-changes and non-admins, changing nothing', async () => {
    const id = player.player.id;
    const cases: [Session, string, unknown, number, string][] = [
      [admin, `/api/admin/users/${id}/role`, { role: 'king' }, 400, 'VALIDATION_FAILED'],
      [admin, `/api/admin/users/${id}/role`, {}, 400, 'VALIDATION_FAILED'],
      [admin, `/api/admin/users/${id}/suspend`, { reason: 'x', extra: 1 }, 400, 'VALIDATION_FAILED'],
      [admin, '/api/admin/users/not-a-uuid/suspend', {}, 400, 'VALIDATION_FAILED'],
      [admin, `/api/admin/users/${randomUUID()}/suspend`, {}, 404, 'NOT_FOUND'],
      [admin, `/api/admin/users/${randomUUID()}/role`, { role: 'admin' }, 404, 'NOT_FOUND'],
      [admin, `/api/admin/users/${admin.player.id}/role`, { role: 'player' }, 409, 'CANNOT_CHANGE_SELF'],
      [admin, `/api/admin/users/${admin.player.id}/suspend`, {}, 409, 'CANNOT_CHANGE_SELF'],
      [player, `/api/admin/users/${admin.player.id}/role`, { role: 'player' }, 403, 'FORBIDDEN'],
      [player, `/api/admin/users/${id}/activate`, undefined, 403, 'FORBIDDEN'],
    ];
    for (const [who, url, body, status, code] of cases) {
      const res = await as(who, 'POST', url, body);
      assert.equal(res.statusCode, status, `${url} ${JSON.stringify(body)}: ${res.body}`);
      assert.equal(res.json().error.code, code);
    }
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/admin/users/${id}/suspend`, payload: {} })).statusCode, 401);
    const roles = (await db.sql.query<{ role: string }>('SELECT role::text FROM players WHERE id = ANY($1::uuid[]) ORDER BY role', [[id, admin.player.id]])).rows;
    assert.deepEqual(roles.map((r) => r.role), ['admin', 'player']);
    assert.equal((await db.sql.query(`SELECT 1 FROM audit_log WHERE target = $1`, [`player:${id}`])).rowCount, 0);
  });

  it('a change reaches running instances: the writer at once, the others at their next poll', async () => {
    const target = await signIn(t);
    const a = new PlayerAccess(t.deps);
    const b = new PlayerAccess(t.deps);
    const claims = { sub: target.player.id, role: 'player' as const, address: target.player.address, iat: Math.floor(Date.now() / 1000) };
    assert.equal(await a.check(claims), null);
    assert.equal(await b.check(claims), null);
    await db.sql.query('INSERT INTO player_access (player_id, suspended_at) VALUES ($1, now())', [target.player.id]);
    await a.changed();
    assert.equal((await a.check(claims))?.code, 'ACCOUNT_SUSPENDED');
    assert.equal(await b.check(claims), null, 'b has not polled yet');
    await b.poll();
    assert.equal((await b.check(claims))?.code, 'ACCOUNT_SUSPENDED');
    await db.sql.query('DELETE FROM player_access WHERE player_id = $1', [target.player.id]);
    await a.changed();
  });
});
