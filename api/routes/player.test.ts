import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../testing.ts';

describe('players', () => {
  let db: TestDatabase;
  let t: TestApp;
  let alice: Awaited<ReturnType<typeof signIn>>;
  let bob: Awaited<ReturnType<typeof signIn>>;
  let admin: Awaited<ReturnType<typeof signIn>>;
  let zoneId: string;
  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    [alice, bob] = await Promise.all([signIn(t), signIn(t)]);
    const adminWallet = newWallet();
    const first = await signIn(t, adminWallet);
    await db.sql.query(`UPDATE players SET role = 'admin' WHERE id = $1`, [first.player.id]);
    admin = await signIn(t, adminWallet);
    zoneId = (await db.sql.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES (gen_random_uuid(), 'Lisbon', 'PT', 38.72, -9.14, 5000) RETURNING id`)).rows[0].id;
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const req = (method: 'GET' | 'PATCH', url: string, token?: string, payload?: unknown) =>
    t.app.inject({ method, url, ...(token ? { headers: bearer(token) } : {}), ...(payload === undefined ? {} : { payload: payload as object }) });

  it('a player reads their own profile; 401 anonymous, 403 for another player, admin may read anyone', async () => {
    const own = await req('GET', `/api/player/${alice.player.id}`, alice.accessToken);
    assert.equal(own.statusCode, 200);
    assert.equal(own.json().address, alice.player.address);
    assert.equal((await req('GET', `/api/player/${alice.player.id}`)).statusCode, 401);
    const other = await req('GET', `/api/player/${alice.player.id}`, bob.accessToken);
    assert.equal(other.statusCode, 403);
    assert.equal(other.json().error.code, 'FORBIDDEN');
    assert.equal((await req('GET', `/api/player/${alice.player.id}`, admin.accessToken)).statusCode, 200);
    assert.equal((await req('GET', '/api/player/00000000-0000-4000-8000-000000000000', admin.accessToken)).statusCode, 404);
    assert.equal((await req('GET', '/api/player/not-a-uuid', admin.accessToken)).json().error.code, 'VALIDATION_FAILED');
  });

  it('PATCH updates display name and home zone for self; others get 403 and nothing changes', async () => {
    const ok = await req('PATCH', `/api/player/${alice.player.id}`, alice.accessToken, { displayName: ' Alice ', homeZoneId: zoneId });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().displayName, 'Alice');
    assert.equal(ok.json().homeZoneId, zoneId);
    const denied = await req('PATCH', `/api/player/${alice.player.id}`, bob.accessToken, { displayName: 'Mallory' });
    assert.equal(denied.statusCode, 403);
    const byAdmin = await req('PATCH', `/api/player/${alice.player.id}`, admin.accessToken, { displayName: 'Alice A.' });
    assert.equal(byAdmin.statusCode, 200);
    assert.equal((await req('GET', `/api/player/${alice.player.id}`, alice.accessToken)).body, byAdmin.body, 'the profile read answers what the update did, byte for byte');
    const row = (await db.sql.query('SELECT display_name FROM players WHERE id = $1', [alice.player.id])).rows[0];
    assert.equal(row.display_name, 'Alice A.');
  });

  it('the profile is cached (5 min) and dropped at once by PATCH and by an admin role change', async () => {
    const carol = await signIn(t);
    const url = `/api/player/${carol.player.id}`;
    const first = await req('GET', url, carol.accessToken);
    assert.equal((await req('GET', url, carol.accessToken)).body, first.body, 'served from the cache');
    assert.ok(await t.deps.redis.exists(`${t.deps.config.REDIS_PREFIX}cache:player:${carol.player.id}`));
    assert.equal((await req('PATCH', url, carol.accessToken, { displayName: 'Carol' })).statusCode, 200);
    assert.equal((await req('GET', url, carol.accessToken)).json().displayName, 'Carol');
    const role = await t.app.inject({ method: 'POST', url: `/api/admin/users/${carol.player.id}/role`, headers: bearer(admin.accessToken), payload: { role: 'auditor' } });
    assert.equal(role.statusCode, 200, role.body);
    assert.equal((await req('GET', url, admin.accessToken)).json().role, 'auditor');
    // a refused read is never cached, and a 404 is not cached either
    assert.equal((await req('GET', url, bob.accessToken)).statusCode, 403);
    const missing = '00000000-0000-4000-8000-00000000abcd';
    assert.equal((await req('GET', `/api/player/${missing}`, admin.accessToken)).statusCode, 404);
    assert.equal(await t.deps.redis.exists(`${t.deps.config.REDIS_PREFIX}cache:player:${missing}`), 0);
  });

  it('PATCH rejects unknown fields, __proto__, bad values and unknown zones with 400, changing nothing', async () => {
    const snapshot = async () => (await db.sql.query('SELECT display_name, role, home_zone_id FROM players WHERE id = $1', [bob.player.id])).rows[0];
    const before = await snapshot();
    const url = `/api/player/${bob.player.id}`;
    const cases: [unknown, string][] = [
      [{ role: 'admin' }, 'VALIDATION_FAILED'],
      [{ displayName: 'x', role: 'admin' }, 'VALIDATION_FAILED'],
      [{}, 'VALIDATION_FAILED'],
      [{ displayName: '' }, 'VALIDATION_FAILED'],
      [{ displayName: 'a'.repeat(41) }, 'VALIDATION_FAILED'],
      [{ displayName: 42 }, 'VALIDATION_FAILED'],
      [{ homeZoneId: 'nope' }, 'VALIDATION_FAILED'],
      [{ homeZoneId: '00000000-0000-4000-8000-000000000000' }, 'UNKNOWN_ZONE'],
    ];
    for (const [payload, code] of cases) {
      const res = await req('PATCH', url, bob.accessToken, payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().error.code, code, JSON.stringify(payload));
    }
    const proto = await t.app.inject({
      method: 'PATCH', url, headers: { ...bearer(bob.accessToken), 'content-type': 'application/json' },
      payload: '{"displayName":"Bob","__proto__":{"role":"admin"}}',
    });
    assert.equal(proto.statusCode, 400);
    const ctor = await t.app.inject({
      method: 'PATCH', url, headers: { ...bearer(bob.accessToken), 'content-type': 'application/json' },
      payload: '{"displayName":"Bob","constructor":{"prototype":{"role":"admin"}}}',
    });
    assert.equal(ctor.statusCode, 400);
    assert.deepEqual(await snapshot(), before);
  });

  it('inventory shows progress with decimal strings, badges, active quests and completed missions', async () => {
    const id = alice.player.id;
    await db.sql.query(`UPDATE players SET level = 3, xp = 250, heart_earned = '123456789012345678901234567890', heart_claimed = '5', impact_credits = '1.2500' WHERE id = $1`, [id]);
    const badge = (await db.sql.query(`INSERT INTO badges (id, code, name, description) VALUES (gen_random_uuid(), 'first-steps', 'First steps', 'x') RETURNING id`)).rows[0].id;
    await db.sql.query('INSERT INTO player_badges (player_id, badge_id) VALUES ($1, $2)', [id, badge]);
    const mission = async (title: string) => (await db.sql.query(
      `INSERT INTO missions (id, zone_id, title, description, type, base_xp, base_heart, duration_minutes, latitude, longitude)
       VALUES (gen_random_uuid(), $1, $2, 'd', 'cleanup', 10, 100, 30, 38.7, -9.1) RETURNING id`, [zoneId, title])).rows[0].id;
    const [m1, m2] = [await mission('Beach cleanup'), await mission('Plant a tree')];
    await db.sql.query(`INSERT INTO quest_assignments (id, player_id, mission_id, status) VALUES (gen_random_uuid(), $1, $2, 'active')`, [id, m1]);
    await db.sql.query(`INSERT INTO quest_assignments (id, player_id, mission_id, status, completed_at) VALUES (gen_random_uuid(), $1, $2, 'completed', now())`, [id, m2]);

    const res = await req('GET', `/api/player/${id}/inventory`, alice.accessToken);
    assert.equal(res.statusCode, 200, res.body);
    const inv = res.json();
    assert.equal(inv.level, 3);
    assert.equal(inv.xp, 250);
    assert.equal(inv.heartEarned, '123456789012345678901234567890');
    assert.equal(inv.heartClaimed, '5');
    assert.equal(inv.impactCredits, '1.25');
    assert.deepEqual(inv.badges.map((b: { code: string }) => b.code), ['first-steps']);
    assert.deepEqual(inv.activeQuests.map((q: { title: string }) => q.title), ['Beach cleanup']);
    assert.deepEqual(inv.completedMissions.map((q: { missionId: string }) => q.missionId), [m2]);
    assert.equal((await req('GET', `/api/player/${id}/inventory`, bob.accessToken)).statusCode, 403);
    assert.equal((await req('GET', `/api/player/${id}/inventory`)).statusCode, 401);
  });
});
