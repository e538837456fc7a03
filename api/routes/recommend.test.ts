import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEV_INTERNAL_TOKEN } from '../../lib/config.ts';
import { maxDifficulty } from '../../recommend/history.ts';
import { simulateWorld } from '../../recommend/sim.ts';
import { seedWorld } from '../../recommend/testing.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { bearer, signIn, testApp, type TestApp, uniquePrefix } from '../testing.ts';

const internal = { 'x-internal-token': DEV_INTERNAL_TOKEN };
const NOBODY = '00000000-0000-4000-8000-000000000000';

describe('recommendation routes (Postgres data, TF.js BPR)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let newcomer: Awaited<ReturnType<typeof signIn>>;
  let veteran: { id: string; level: number; done: Set<string> };
  let home: { latitude: number; longitude: number };
  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url, { RECOMMEND_REFRESH_S: '0' });
    const world = simulateWorld({ seed: 21, players: 90, zonesPerCity: 3, days: 60 });
    // Everything happened recently, so missions are open and the 30-day windows see it.
    const shift = Date.now() - (world.start + world.days * 86_400_000);
    for (const c of world.history.completions) c.at += shift;
    for (const m of world.history.missions) [m.startsAt, m.endsAt] = [null, null];
    await seedWorld(db.sql, world);
    const { rows } = await db.sql.query(`SELECT player_id::text AS id, count(*)::int AS n FROM actions GROUP BY player_id ORDER BY n DESC, player_id LIMIT 1`);
    const id = rows[0].id as string;
    const level = (await db.sql.query(`SELECT level FROM players WHERE id = $1`, [id])).rows[0].level as number;
    const done = new Set((await db.sql.query(`SELECT mission_id::text AS m FROM actions WHERE player_id = $1`, [id])).rows.map((r) => r.m as string));
    veteran = { id, level, done };
    newcomer = await signIn(t);
    const zone = (await db.sql.query(`SELECT z.latitude, z.longitude FROM players p JOIN zones z ON z.id = p.home_zone_id WHERE p.id = $1`, [id])).rows[0];
    home = { latitude: zone.latitude, longitude: zone.longitude };
    await db.sql.query(
      `INSERT INTO rewards (id, title, description, cost_heart, stock) VALUES
        (gen_random_uuid(), 'Tree in your name', 'd', 1000, 5), (gen_random_uuid(), 'Tote bag', 'd', '5000000000000000000000', 3),
        (gen_random_uuid(), 'Sold out', 'd', 1, 0)`);
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const post = (url: string, payload: object, headers: Record<string, string> = internal) => t.app.inject({ method: 'POST', url, headers, payload });

  it('POST /recommend/quests: 10 distinct quests within the level gate, each with a reason', async () => {
    const res = await post('/recommend/quests', { playerId: veteran.id });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.coldStart, false);
    assert.match(body.version, /^[0-9a-f]{16}\.\d+$/);
    assert.equal(body.items.length, 10);
    assert.equal(new Set(body.items.map((i: { missionId: string }) => i.missionId)).size, 10);
    for (const i of body.items) {
      assert.ok(i.reason.length > 10);
      assert.ok(i.difficulty <= maxDifficulty(veteran.level));
      assert.ok(!veteran.done.has(i.missionId), 'already completed');
    }
    const three = await post('/recommend/quests', { playerId: veteran.id, limit: 3 });
    assert.equal(three.json().items.length, 3);
  });

  it('POST /recommend/quests: a newcomer gets location + popularity, near where they are', async () => {
    const res = await post('/recommend/quests', { playerId: newcomer.player.id, ...home });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().coldStart, true);
    assert.equal(res.json().items.length, 10);
    for (const i of res.json().items) {
      assert.match(i.reason, /near you/);
      assert.ok(i.difficulty <= maxDifficulty(1));
    }
  });

  it('POST /recommend/difficulty: advice within the gate', async () => {
    const res = await post('/recommend/difficulty', { playerId: veteran.id });
    assert.equal(res.statusCode, 200, res.body);
    const b = res.json();
    assert.equal(b.maxAllowed, maxDifficulty(veteran.level));
    assert.ok(b.recommended >= 1 && b.recommended <= b.maxAllowed);
    assert.ok(b.reason.length > 10);
    const fresh = (await post('/recommend/difficulty', { playerId: newcomer.player.id })).json();
    assert.equal(fresh.recommended, 1);
  });

  it('POST /recommend/rewards: rewards in stock with affordability and a reason', async () => {
    await db.sql.query(`UPDATE players SET heart_earned = 2000 WHERE id = $1`, [veteran.id]);
    const res = await post('/recommend/rewards', { playerId: veteran.id });
    assert.equal(res.statusCode, 200, res.body);
    const items = res.json().items as { title: string; affordable: boolean; costHeart: string; reason: string }[];
    assert.deepEqual(items.map((i) => i.title), ['Tree in your name', 'Tote bag']);
    assert.equal(items[0]?.affordable, true);
    assert.equal(items[1]?.costHeart, '5000000000000000000000');
    assert.match(items[1]?.reason ?? '', /% of the Heart/);
  });

  it('POST /recommend/partners: experienced mentors near a newcomer, sharing interests', async () => {
    const res = await post('/recommend/partners', { playerId: newcomer.player.id, ...home, interests: ['cleanup', 'planting'] });
    assert.equal(res.statusCode, 200, res.body);
    const items = res.json().items as { playerId: string; level: number; completions: number; distanceKm: number; reason: string }[];
    assert.ok(items.length > 0 && items.length <= 10);
    for (const m of items) {
      assert.ok(m.level > 1 && m.completions >= 5);
      assert.notEqual(m.playerId, newcomer.player.id);
      assert.match(m.reason, /quests completed/);
    }
    assert.ok(items.some((m) => m.distanceKm < 30), 'someone from the newcomer\'s city');
  });

  it('refuses callers without the internal token', async () => {
    for (const url of ['/recommend/quests', '/recommend/difficulty', '/recommend/rewards', '/recommend/partners']) {
      assert.equal((await post(url, { playerId: veteran.id }, {})).statusCode, 401, url);
      assert.equal((await post(url, { playerId: veteran.id }, { 'x-internal-token': 'x'.repeat(44) })).statusCode, 401, url);
      const asPlayer = await post(url, { playerId: veteran.id }, bearer(newcomer.accessToken));
      assert.equal(asPlayer.statusCode, 401, url);
      assert.equal(asPlayer.json().error.code, 'UNAUTHENTICATED');
    }
  });

  it('rejects bad input with 4xx', async () => {
    for (const url of ['/recommend/quests', '/recommend/difficulty', '/recommend/rewards', '/recommend/partners']) {
      for (const bad of [{}, { playerId: 'nope' }, { playerId: veteran.id, limit: url === '/recommend/rewards' ? 101 : 11 }, { playerId: veteran.id, extra: 1 }]) {
        const res = await post(url, bad);
        assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(bad)}`);
        assert.equal(res.json().error.code, 'VALIDATION_FAILED');
      }
      const unknown = await post(url, { playerId: NOBODY });
      assert.equal(unknown.statusCode, 404, url);
    }
    assert.equal((await post('/recommend/quests', { playerId: veteran.id, latitude: 10 })).statusCode, 400);
    assert.equal((await post('/recommend/partners', { playerId: veteran.id, interests: ['karaoke'] })).statusCode, 400);
  });

  it('rate-limits each internal route per client: the call after RATE_LIMIT_INTERNAL in a minute is 429 RATE_LIMITED', async () => {
    const limited = await testApp(db.url, { RATE_LIMIT_INTERNAL: '3', REDIS_PREFIX: uniquePrefix() });
    try {
      const call = (url: string, remoteAddress = '10.1.0.1') => limited.app.inject({ method: 'POST', url, headers: internal, payload: { playerId: veteran.id }, remoteAddress });
      for (let i = 0; i < 3; i++) assert.equal((await call('/recommend/difficulty')).statusCode, 200);
      const refused = await call('/recommend/difficulty');
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json().error.code, 'RATE_LIMITED');
      assert.ok(Number(refused.headers['retry-after']) > 0);
      // counted per route and per client
      assert.equal((await call('/recommend/partners')).statusCode, 200);
      assert.equal((await call('/recommend/difficulty', '10.1.0.2')).statusCode, 200);
    } finally {
      await limited.close();
    }
  });

  it('a cached snapshot is reloaded for a player who joined after it was taken', async () => {
    const cached = await testApp(db.url, { RECOMMEND_REFRESH_S: '3600' });
    try {
      const first = await cached.app.inject({ method: 'POST', url: '/recommend/quests', headers: internal, payload: { playerId: veteran.id } });
      assert.equal(first.statusCode, 200);
      const joined = await signIn(cached);
      const res = await cached.app.inject({ method: 'GET', url: '/api/quest/list?sort=recommended', headers: bearer(joined.accessToken) });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().quests.length, 10);
    } finally {
      await cached.close();
    }
  });

  it('GET /api/quest/list?sort=recommended: the caller\'s top quests with reasons', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/quest/list?sort=recommended', headers: bearer(newcomer.accessToken) });
    assert.equal(res.statusCode, 200, res.body);
    const quests = res.json().quests as { id: string; reason: string; score: number; difficulty: number }[];
    assert.equal(quests.length, 10);
    assert.equal(new Set(quests.map((q) => q.id)).size, 10);
    for (const q of quests) {
      assert.ok(q.reason.length > 5);
      assert.ok(q.difficulty <= maxDifficulty(1));
    }
    const plain = await t.app.inject({ method: 'GET', url: '/api/quest/list', headers: bearer(newcomer.accessToken) });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.json().quests[0].reason, undefined);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/quest/list?sort=best', headers: bearer(newcomer.accessToken) })).statusCode, 400);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/quest/list?sort=recommended' })).statusCode, 401);
  });
});
