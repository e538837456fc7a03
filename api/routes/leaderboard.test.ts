import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { applyImpact } from '../impact/engine.ts';
import { Leaderboard, periodBucket } from '../impact/leaderboard.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../testing.ts';

describe('leaderboards', () => {
  let db: TestDatabase;
  let t: TestApp;
  let pool: pg.Pool;
  let board: Leaderboard;
  const zones: string[] = [];
  const missions: string[] = [];

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    board = new Leaderboard(t.deps.redis, t.deps.config.REDIS_PREFIX);
    for (const name of ['North', 'South']) {
      const zone = (await db.sql.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES (gen_random_uuid(), $1, 'PT', 0, 0, 500) RETURNING id`, [name])).rows[0].id as string;
      zones.push(zone);
      missions.push((await db.sql.query(
        `INSERT INTO missions (id, zone_id, title, description, type, base_xp, base_heart, duration_minutes, latitude, longitude)
         VALUES (gen_random_uuid(), $1, 'M', 'd', 'cleanup', 100, 1000, 30, 0, 0) RETURNING id`, [zone])).rows[0].id as string);
    }
  });
  after(async () => {
    await pool.end();
    await t.close();
    await db.drop();
  });

  async function player(name: string) {
    const s = await signIn(t);
    await db.sql.query('UPDATE players SET display_name = $2 WHERE id = $1', [s.player.id, name]);
    return s;
  }
  /** An approved action of `playerId` in mission `mission`. */
  async function approved(playerId: string, mission: string): Promise<string> {
    const id = randomUUID();
    await db.sql.query(
      `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at) VALUES ($1, $2, $3, $4, 0, 0, 5, now())`,
      [id, playerId, mission, `k-${id}`]);
    await db.sql.query(
      `INSERT INTO evidence (id, action_id, object_key, sha256, media_type, size_bytes, salt) VALUES (gen_random_uuid(), $1, $2, $3, 'image/jpeg', 10, $4)`,
      [id, `proofs/${playerId}/${id}/media`, randomBytes(32).toString('hex'), randomBytes(32)]);
    await db.sql.query(
      `INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision) VALUES (gen_random_uuid(), $1, 90, 0.9, '{}', 'test-verifier-1', 'approve')`, [id]);
    return id;
  }
  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it('new ledger entries score on the daily, weekly and zone boards; re-applying adds nothing; old days stay out', async () => {
    const [north, south] = zones as [string, string];
    const [mNorth, mSouth] = missions as [string, string];
    const ana = await player('Ana');
    const bo = await player('Bo');
    const cy = await player('Cy');
    const w = newWallet();
    await db.sql.query(`UPDATE players SET role = 'admin' WHERE id = $1`, [(await signIn(t, w)).player.id]);
    const admin = await signIn(t, w);

    const xp = new Map<string, number>();
    const add = (id: string, n: number | undefined) => xp.set(id, (xp.get(id) ?? 0) + (n ?? 0));
    const a1 = await approved(ana.player.id, mNorth);
    add(ana.player.id, (await applyImpact(pool, a1, new Date(), board)).breakdown?.xp);
    assert.equal((await applyImpact(pool, a1, new Date(), board)).breakdown, null, 'second application changes nothing');
    // through the admin route (the route passes the leaderboard too)
    const a2 = await approved(ana.player.id, mNorth);
    const viaRoute = await t.app.inject({ method: 'POST', url: '/api/impact/calculate', headers: bearer(admin.accessToken), payload: { actionId: a2 } });
    assert.equal(viaRoute.statusCode, 200, viaRoute.body);
    add(ana.player.id, viaRoute.json().breakdown.xp);
    const b1 = await approved(bo.player.id, mSouth);
    add(bo.player.id, (await applyImpact(pool, b1, new Date(), board)).breakdown?.xp);
    const longAgo = new Date(Date.now() - 10 * 86_400_000);
    await applyImpact(pool, await approved(cy.player.id, mNorth), longAgo, board);

    const anaXp = xp.get(ana.player.id) as number;
    const boXp = xp.get(bo.player.id) as number;
    assert.ok(anaXp > boXp && boXp > 0);
    const daily = await get('/api/leaderboard?period=daily');
    assert.equal(daily.statusCode, 200, daily.body);
    assert.equal(daily.json().bucket, new Date().toISOString().slice(0, 10));
    assert.deepEqual(daily.json().entries, [
      { rank: 1, playerId: ana.player.id, displayName: 'Ana', score: anaXp },
      { rank: 2, playerId: bo.player.id, displayName: 'Bo', score: boXp },
    ]);
    const weekly = (await get('/api/leaderboard?period=weekly')).json();
    assert.equal(weekly.bucket, periodBucket('weekly', new Date()));
    assert.deepEqual(weekly.entries.map((e: { playerId: string; score: number }) => [e.playerId, e.score]), [[ana.player.id, anaXp], [bo.player.id, boXp]]);
    assert.deepEqual((await get('/api/leaderboard')).json().entries, weekly.entries, 'weekly by default');
    const zoneN = (await get(`/api/leaderboard?period=daily&zoneId=${north}`)).json();
    assert.deepEqual(zoneN.entries.map((e: { playerId: string }) => e.playerId), [ana.player.id]);
    assert.equal(zoneN.zoneId, north);
    assert.deepEqual((await get(`/api/leaderboard?period=weekly&zoneId=${south}`)).json().entries.map((e: { playerId: string }) => e.playerId), [bo.player.id]);
    assert.deepEqual((await get(`/api/leaderboard?period=daily&zoneId=${randomUUID()}`)).json().entries, []);
    // Cy's deed is on the board of its own day
    assert.deepEqual((await board.top('daily', longAgo)).map((e) => e.playerId), [cy.player.id]);

    // Rendered boards are cached (1 h) and dropped by the next entry that changes them, in every instance.
    const cached = await get('/api/leaderboard?period=daily');
    assert.equal(cached.body, daily.body);
    assert.match(String(cached.headers['content-type']), /^application\/json/);
    const other = await testApp(db.url, { REDIS_PREFIX: t.deps.config.REDIS_PREFIX });
    try {
      assert.equal((await other.app.inject({ method: 'GET', url: '/api/leaderboard?period=daily' })).body, daily.body);
      const b2 = await approved(bo.player.id, mSouth);
      add(bo.player.id, (await applyImpact(pool, b2, new Date(), board)).breakdown?.xp);
      const after = (await other.app.inject({ method: 'GET', url: '/api/leaderboard?period=daily' })).json();
      assert.deepEqual(after.entries.find((e: { playerId: string }) => e.playerId === bo.player.id).score, xp.get(bo.player.id));
      const zoneS = (await get(`/api/leaderboard?period=weekly&zoneId=${south}`)).json();
      assert.deepEqual(zoneS.entries.map((e: { score: number }) => e.score), [xp.get(bo.player.id)]);
    } finally {
      await other.app.close();
      await other.deps.close();
    }
  });

  it('ISO weeks and bad parameters', async () => {
    assert.equal(periodBucket('weekly', new Date('2026-01-01T12:00:00Z')), '2026-W01');
    assert.equal(periodBucket('weekly', new Date('2027-01-01T12:00:00Z')), '2026-W53');
    assert.equal(periodBucket('weekly', new Date('2026-11-23T00:00:00Z')), '2026-W48');
    assert.equal(periodBucket('daily', new Date('2026-11-23T23:59:59Z')), '2026-11-23');
    for (const q of ['period=monthly', 'zoneId=nope', 'period=daily&x=1']) {
      const res = await get(`/api/leaderboard?${q}`);
      assert.equal(res.statusCode, 400, q);
      assert.equal(res.json().error.code, 'VALIDATION_FAILED');
    }
  });
});
