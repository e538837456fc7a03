import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../testing.ts';

describe('telemetry API', () => {
  let db: TestDatabase;
  let t: TestApp;
  let player: Awaited<ReturnType<typeof signIn>>;
  let admin: Awaited<ReturnType<typeof signIn>>;
  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    player = await signIn(t);
    const w = newWallet();
    const first = await signIn(t, w);
    await db.sql.query(`UPDATE players SET role = 'admin' WHERE id = $1`, [first.player.id]);
    admin = await signIn(t, w);
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const event = (over: Record<string, unknown> = {}) => ({
    id: randomUUID(), name: 'screen_viewed', occurredAt: new Date(Date.now() - 60_000).toISOString(), props: { screen: 'map' }, ...over,
  });
  const post = (events: unknown[], headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/telemetry/events', headers, payload: { events } });
  const stored = async (ids: string[]) => (await db.sql.query<{ id: string; player_id: string | null }>(
    'SELECT id, player_id FROM telemetry_events WHERE id = ANY($1::uuid[]) ORDER BY id', [ids])).rows;

  it('accepts a batch once; the same batch again only counts duplicates', async () => {
    const batch = Array.from({ length: 20 }, () => event({ name: 'quest_started', zoneId: randomUUID() }));
    const first = await post(batch, bearer(player.accessToken));
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { accepted: 20, duplicates: 0 });
    const again = await post(batch, bearer(player.accessToken));
    assert.deepEqual(again.json(), { accepted: 0, duplicates: 20 });
    const rows = await stored(batch.map((e) => e.id));
    assert.equal(rows.length, 20);
    assert.ok(rows.every((r) => r.player_id === player.player.id), 'signed-in events are attributed to the caller');
  });

  it('takes anonymous events, but not events claiming a player', async () => {
    const anon = event();
    assert.deepEqual((await post([anon])).json(), { accepted: 1, duplicates: 0 });
    assert.equal((await stored([anon.id]))[0]?.player_id, null);
    const claimed = await post([event({ playerId: player.player.id })]);
    assert.equal(claimed.statusCode, 403);
    const other = await post([event({ playerId: randomUUID() })], bearer(player.accessToken));
    assert.equal(other.statusCode, 403);
  });

  it('rejects 501 events, unknown fields and malformed events with a code', async () => {
    const tooMany = await post(Array.from({ length: 501 }, () => event()));
    assert.equal(tooMany.statusCode, 400);
    assert.equal(tooMany.json().error.code, 'VALIDATION_FAILED');
    const max = await post(Array.from({ length: 500 }, () => event()));
    assert.equal(max.statusCode, 200, max.body);
    for (const bad of [[event({ extra: 1 })], [event({ id: 'not-a-uuid' })], [event({ name: 'Bad Name' })], [{ ...event(), occurredAt: undefined }], []]) {
      const res = await post(bad);
      assert.equal(res.statusCode, 400, JSON.stringify(bad));
      assert.equal(res.json().error.code, 'VALIDATION_FAILED');
    }
    const extraTop = await t.app.inject({ method: 'POST', url: '/api/telemetry/events', payload: { events: [event()], more: true } });
    assert.equal(extraTop.statusCode, 400);
    const future = await post([event({ occurredAt: new Date(Date.now() + 3 * 86_400_000).toISOString() })]);
    assert.equal(future.statusCode, 400);
    assert.equal(future.json().error.code, 'EVENT_OUT_OF_RANGE');
    const ancient = await post([event({ occurredAt: '2001-01-01T00:00:00Z' })]);
    assert.equal(ancient.json().error.code, 'EVENT_OUT_OF_RANGE');
    const big = await post([event({ props: { blob: 'x'.repeat(5000) } })]);
    assert.equal(big.json().error.code, 'PROPS_TOO_LARGE');
  });

  it('serves reports to admins and auditors only', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/admin/reports' })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/admin/reports', headers: bearer(player.accessToken) })).statusCode, 403);
    const res = await t.app.inject({ method: 'GET', url: '/api/admin/reports', headers: bearer(admin.accessToken) });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    const today = new Date(Date.now() - 60_000).toISOString().slice(0, 10);
    // the player and the 500/anonymous batches above: only the signed-in player counts as active
    assert.deepEqual(body.activePlayers, [{ day: today, players: 1 }]);
    assert.equal(body.funnel[0].step, 'quest_started');
    const bad = await t.app.inject({ method: 'GET', url: '/api/admin/reports?from=2025-01-01&to=2025-12-31', headers: bearer(admin.accessToken) });
    assert.equal(bad.json().error.code, 'INVALID_RANGE');
    const unknown = await t.app.inject({ method: 'GET', url: '/api/admin/reports?zone=1', headers: bearer(admin.accessToken) });
    assert.equal(unknown.statusCode, 400);
  });
});
