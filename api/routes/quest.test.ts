import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../testing.ts';

describe('map and quests', () => {
  let db: TestDatabase;
  let t: TestApp;
  let player: Awaited<ReturnType<typeof signIn>>;
  let admin: Awaited<ReturnType<typeof signIn>>;
  let zoneId: string;
  let otherZoneId: string;
  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    player = await signIn(t);
    const w = newWallet();
    const first = await signIn(t, w);
    await db.sql.query(`UPDATE players SET role = 'admin' WHERE id = $1`, [first.player.id]);
    admin = await signIn(t, w);
    const zone = async (name: string, cc: string) => (await db.sql.query(
      `INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m, multiplier) VALUES (gen_random_uuid(), $1, $2, 1, 2, 500, 1.5) RETURNING id`, [name, cc])).rows[0].id;
    zoneId = await zone('Lisbon', 'PT');
    otherZoneId = await zone('Nairobi', 'KE');
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const mission = (over: Record<string, unknown> = {}) => ({
    zoneId, title: 'Beach cleanup', description: 'Collect litter', type: 'cleanup', baseXp: 50,
    baseHeart: '1000000000000000000', durationMinutes: 60, latitude: 38.7, longitude: -9.1, ...over,
  });
  const create = (token: string, payload: object) => t.app.inject({ method: 'POST', url: '/api/quest/create', headers: bearer(token), payload });

  it('lists zones publicly, filtered by country, with the multiplier as a decimal string', async () => {
    const all = await t.app.inject({ method: 'GET', url: '/api/map/zones' });
    assert.equal(all.statusCode, 200);
    assert.equal(all.json().zones.length, 2);
    const pt = (await t.app.inject({ method: 'GET', url: '/api/map/zones?countryCode=PT' })).json().zones;
    assert.deepEqual(pt.map((z: { name: string }) => z.name), ['Lisbon']);
    assert.equal(pt[0].multiplier, '1.5');
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/map/zones?evil=1' })).statusCode, 400);
  });

  it('only admins create quests; bodies are validated', async () => {
    const denied = await create(player.accessToken, mission());
    assert.equal(denied.statusCode, 403);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/quest/create', payload: mission() })).statusCode, 401);
    for (const bad of [mission({ extra: 1 }), mission({ baseHeart: '1.5' }), mission({ type: 'party' }), mission({ latitude: 91 }), mission({ zoneId: otherZoneId.replace(/.$/, (c) => (c === '0' ? '1' : '0')) })]) {
      const res = await create(admin.accessToken, bad);
      assert.equal(res.statusCode, 400, JSON.stringify(bad));
    }
    const ok = await create(admin.accessToken, mission());
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json().baseHeart, '1000000000000000000');
    assert.equal(ok.json().active, true);
  });

  it('lists open missions per zone and in the quest list; closed windows are hidden', async () => {
    await create(admin.accessToken, mission({ zoneId: otherZoneId, title: 'Plant trees', type: 'planting' }));
    await create(admin.accessToken, mission({ title: 'Expired', endsAt: new Date(Date.now() - 60_000).toISOString(), startsAt: new Date(Date.now() - 120_000).toISOString() }));
    const inZone = await t.app.inject({ method: 'GET', url: `/api/map/zones/${zoneId}/missions` });
    assert.equal(inZone.statusCode, 200);
    assert.deepEqual(inZone.json().missions.map((m: { title: string }) => m.title), ['Beach cleanup']);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/map/zones/00000000-0000-4000-8000-000000000000/missions' })).statusCode, 404);
    const list = await t.app.inject({ method: 'GET', url: '/api/quest/list', headers: bearer(player.accessToken) });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().quests.map((m: { title: string }) => m.title).sort(), ['Beach cleanup', 'Plant trees']);
    const filtered = await t.app.inject({ method: 'GET', url: `/api/quest/list?zoneId=${otherZoneId}`, headers: bearer(player.accessToken) });
    assert.deepEqual(filtered.json().quests.map((m: { title: string }) => m.title), ['Plant trees']);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/quest/list' })).statusCode, 401);
  });

  it('the quest list shows each open mission exactly as its creation answered it, oldest first; a window not yet open is hidden', async () => {
    const [fresh] = (await db.sql.query( // a zone of its own keeps the list to this test's missions
`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m, multiplier) VALUES (gen_random_uuid(), 'Porto', 'PT', 41.1, -8.6, 500, 1) RETURNING id`)).rows;
    const now = Date.now();
    const created = [];
    for (const over of [
      { title: 'Windowed', difficulty: 4, radiusM: 123, latitude: 41.149_612_3, longitude: -8.610_992_1, baseHeart: '123456789012345678901234567890', startsAt: new Date(now - 3_600_000).toISOString(), endsAt: new Date(now + 3_600_000).toISOString() },
      { title: 'Open-ended', type: 'recycling', baseXp: 0, baseHeart: '0' },
    ]) {
      const res = await create(admin.accessToken, mission({ zoneId: fresh.id, ...over }));
      assert.equal(res.statusCode, 201, res.body);
      created.push(res.json());
    }
    assert.equal((await create(admin.accessToken, mission({ zoneId: fresh.id, title: 'Later', startsAt: new Date(now + 3_600_000).toISOString() }))).statusCode, 201);
    const list = await t.app.inject({ method: 'GET', url: `/api/quest/list?zoneId=${fresh.id}`, headers: bearer(player.accessToken) });
    assert.equal(list.statusCode, 200);
    assert.equal(list.body, JSON.stringify({ quests: created }));
  });

  it('starting a quest twice, even concurrently, gives exactly one active assignment and 409s', async () => {
    const m = (await create(admin.accessToken, mission({ title: 'Race' }))).json();
    const start = () => t.app.inject({ method: 'POST', url: `/api/quest/${m.id}/start`, headers: bearer(player.accessToken) });
    const results = await Promise.all([start(), start(), start(), start()]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409, 409, 409]);
    assert.ok(results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'QUEST_ALREADY_ACTIVE'));
    const active = (await db.sql.query(`SELECT count(*)::int AS n FROM quest_assignments WHERE mission_id = $1 AND status = 'active'`, [m.id])).rows[0].n;
    assert.equal(active, 1);
    const inv = (await t.app.inject({ method: 'GET', url: `/api/player/${player.player.id}/inventory`, headers: bearer(player.accessToken) })).json();
    assert.ok(inv.activeQuests.some((q: { missionId: string }) => q.missionId === m.id));
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/quest/00000000-0000-4000-8000-000000000000/start', headers: bearer(player.accessToken) })).statusCode, 404);
    const expired = (await db.sql.query(`SELECT id FROM missions WHERE title = 'Expired'`)).rows[0].id;
    const closed = await t.app.inject({ method: 'POST', url: `/api/quest/${expired}/start`, headers: bearer(player.accessToken) });
    assert.equal(closed.statusCode, 409);
    assert.equal(closed.json().error.code, 'QUEST_NOT_AVAILABLE');
  });

  it("shows a zone's activity publicly and a player's own history of a quest", async () => {
    const created = await create(admin.accessToken, mission({ title: 'History walk' }));
    const missionId = created.json().id as string;
    assert.equal((await t.app.inject({ method: 'POST', url: `/api/quest/${missionId}/start`, headers: bearer(player.accessToken) })).statusCode, 201);
    const assignmentId = (await db.sql.query('SELECT id FROM quest_assignments WHERE mission_id = $1', [missionId])).rows[0].id;
    await db.sql.query(
      `INSERT INTO actions (id, player_id, mission_id, assignment_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, status)
       VALUES (gen_random_uuid(), $1, $2, $3, 'hist-1', 38.7, -9.1, 5, now(), 'approved')`, [player.player.id, missionId, assignmentId]);

    const history = await t.app.inject({ method: 'GET', url: `/api/quest/${missionId}/history`, headers: bearer(player.accessToken) });
    assert.equal(history.statusCode, 200, history.body);
    const [a] = history.json().attempts;
    assert.equal(a.id, assignmentId);
    assert.deepEqual(a.proofs.map((p: { status: string }) => p.status), ['approved']);
    const others = await t.app.inject({ method: 'GET', url: `/api/quest/${missionId}/history`, headers: bearer(admin.accessToken) });
    assert.deepEqual(others.json().attempts, [], 'history is per caller');
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/quest/${missionId}/history` })).statusCode, 401);

    const act = await t.app.inject({ method: 'GET', url: `/api/map/zones/${zoneId}/activity` });
    assert.equal(act.statusCode, 200, act.body);
    const body = act.json() as { recent: unknown[] } & Record<string, unknown>;
    assert.deepEqual({ ...body, recent: body.recent.length }, { actions: 1, approved: 1, players: 1, impactCredits: '0', recent: 1 });
    const empty = await t.app.inject({ method: 'GET', url: `/api/map/zones/${otherZoneId}/activity` });
    assert.deepEqual(empty.json(), { actions: 0, approved: 0, players: 0, impactCredits: '0', recent: [] });
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/map/zones/00000000-0000-4000-8000-000000000000/activity' })).statusCode, 404);
  });

  it("caches a zone's activity for 30 min and drops it as soon as the zone's actions change, whoever writes them", async () => {
    const key = `${t.deps.config.REDIS_PREFIX}cache:zone-activity:${zoneId}`;
    const activity = async () => (await t.app.inject({ method: 'GET', url: `/api/map/zones/${zoneId}/activity` })).json() as { approved: number };
    const until = async (what: string, check: () => Promise<boolean>) => {
      for (const deadline = Date.now() + 20_000; !(await check());) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await until('the view to be cached', async () => (await activity()).approved === 1 && (await t.deps.redis.exists(key)) === 1);
    const ttl = await t.deps.redis.ttl(key);
    assert.ok(ttl > 1700 && ttl <= 1800, `ttl ${ttl}`);
    // Another writer (here plain SQL, as the verifier or a seeder would) changes an action of the zone.
    await db.sql.query(`UPDATE actions SET status = 'rejected' WHERE idempotency_key = 'hist-1'`);
    await until('the cached view to be dropped', async () => (await t.deps.redis.exists(key)) === 0);
    assert.equal((await activity()).approved, 0);
    // A zone nobody touched keeps its cached view.
    const other = `${t.deps.config.REDIS_PREFIX}cache:zone-activity:${otherZoneId}`;
    await until('the other view to be cached', async () => (await t.app.inject({ method: 'GET', url: `/api/map/zones/${otherZoneId}/activity` })).statusCode === 200 && (await t.deps.redis.exists(other)) === 1);
    await db.sql.query(`UPDATE actions SET status = 'approved' WHERE idempotency_key = 'hist-1'`);
    await until('the changed zone to be dropped again', async () => (await t.deps.redis.exists(key)) === 0 || (await activity()).approved === 1);
    assert.equal(await t.deps.redis.exists(other), 1);
  });
});
