import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { BADGE_RULES } from '../../community/badges/rules.ts';
import { action, mission, signInAdmin, zone } from '../../community/testing.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { applyImpact } from '../impact/engine.ts';
import { bearer, signIn, testApp, type TestApp } from '../testing.ts';

describe('GET /api/player/badges', () => {
  let db: TestDatabase;
  let t: TestApp;
  let pool: pg.Pool;

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  after(async () => {
    await pool.end();
    await t.close();
    await db.drop();
  });

  const get = (token?: string) => t.app.inject({ method: 'GET', url: '/api/player/badges', headers: token ? bearer(token) : {} });

  it('lists every badge of the rules in force with the caller\'s awards', async () => {
    const me = await signIn(t);
    const empty = await get(me.accessToken);
    assert.equal(empty.statusCode, 200, empty.body);
    assert.deepEqual([empty.json().rulesVersion, empty.json().earned, empty.json().badges.length], [BADGE_RULES.version, 0, BADGE_RULES.badges.length]);

    const id = await action(db.sql, me.player.id, await mission(db.sql, await zone(db.sql, 'Lisbon')), new Date(), true);
    await applyImpact(pool, id);
    await applyImpact(pool, id);
    const res = (await get(me.accessToken)).json();
    assert.equal(res.earned, 1);
    const earned = res.badges.filter((b: { awardedAt: string | null }) => b.awardedAt !== null);
    assert.deepEqual(earned.map((b: { code: string }) => b.code), ['first-deed']);
    assert.equal(earned[0].description, 'Your first verified good deed is on the ledger.');

    const admin = await signInAdmin(t, db.sql);
    assert.equal((await get(admin.accessToken)).json().earned, 0, 'each caller sees their own');
  });

  it('needs a valid session and refuses query parameters', async () => {
    assert.equal((await get()).statusCode, 401);
    assert.equal((await get('not-a-token')).json().error.code, 'UNAUTHENTICATED');
    const me = await signIn(t);
    const res = await t.app.inject({ method: 'GET', url: '/api/player/badges?page=2', headers: bearer(me.accessToken) });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'VALIDATION_FAILED');
  });
});
