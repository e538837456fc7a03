import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEV_INTERNAL_TOKEN } from '../../lib/config.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { bearer, signIn, testApp, type TestApp, uniquePrefix } from '../testing.ts';

const HEART = 10n ** 18n;

interface Item { id: string; title: string; stock: number; priceHeart: string; score?: number; reason?: string }

describe('GET /api/reward/marketplace?sort=recommended (the recommender called directly)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let me: Awaited<ReturnType<typeof signIn>>;
  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url, { RECOMMEND_REFRESH_S: '0' });
    me = await signIn(t);
    const crowd = await Promise.all([0, 1, 2].map(() => signIn(t)));
    // Price order: Seed pack (1) < Bus pass (2) < Sold out (3) < Kayak day (50); the crowd redeems the bus pass, the player holds 5 Heart.
    const { rows } = await db.sql.query<{ id: string; title: string }>(
      `INSERT INTO rewards (id, title, description, partner, cost_heart, stock) VALUES
        (gen_random_uuid(), 'Seed pack', 'd', 'P', $1, 9), (gen_random_uuid(), 'Bus pass', 'd', 'P', $2, 9),
        (gen_random_uuid(), 'Sold out', 'd', 'P', $3, 0), (gen_random_uuid(), 'Kayak day', 'd', 'P', $4, 2)
       RETURNING id::text, title`, [HEART.toString(), (2n * HEART).toString(), (3n * HEART).toString(), (50n * HEART).toString()]);
    const bus = rows.find((r) => r.title === 'Bus pass')?.id;
    for (const [i, p] of crowd.entries()) {
      await db.sql.query(
        `INSERT INTO redemptions (id, player_id, reward_id, quantity, amount, status, expires_at) VALUES ($1, $2, $3, 1, $4, 'fulfilled', now())`,
        [`0x${(i + 1).toString(16).padStart(64, '0')}`, p.player.id, bus, (2n * HEART).toString()]);
    }
    await db.sql.query(`UPDATE players SET heart_earned = $2 WHERE id = $1`, [me.player.id, (5n * HEART).toString()]);
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const market = (app: TestApp, query = '?sort=recommended', remoteAddress = '127.0.0.1') =>
    app.app.inject({ method: 'GET', url: `/api/reward/marketplace${query}`, headers: bearer(me.accessToken), remoteAddress });

  it('orders the rewards in stock as the recommender does, each with a reason; out of stock last', async () => {
    const res = await market(t);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { sort: string; rewards: Item[] };
    assert.equal(body.sort, 'recommended');
    const direct = await t.app.inject({ method: 'POST', url: '/recommend/rewards', headers: { 'x-internal-token': DEV_INTERNAL_TOKEN }, payload: { playerId: me.player.id, limit: 100 } });
    assert.equal(direct.statusCode, 200, direct.body);
    const expected = (direct.json().items as { rewardId: string }[]).map((i) => i.rewardId);
    assert.equal(expected.length, 3);
    assert.deepEqual(body.rewards.slice(0, 3).map((r) => r.id), expected);
    assert.equal(body.rewards[0]?.title, 'Bus pass', 'what other players redeem and the player can afford comes first');
    for (const r of body.rewards.slice(0, 3)) assert.ok((r.reason ?? '').length > 5 && typeof r.score === 'number', JSON.stringify(r));
    assert.deepEqual(body.rewards[3], { ...body.rewards[3], title: 'Sold out', stock: 0 });
    assert.equal(body.rewards[3]?.reason, undefined);
  });

  it('the default and sort=price are the plain price order without reasons; bad sort 400; anonymous 401', async () => {
    for (const q of ['', '?sort=price']) {
      const res = await market(t, q);
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().sort, 'price');
      assert.deepEqual(res.json().rewards.map((r: Item) => r.title), ['Seed pack', 'Bus pass', 'Sold out', 'Kayak day']);
      assert.equal(res.json().rewards[0].reason, undefined);
    }
    const bad = await market(t, '?sort=cheapest');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'VALIDATION_FAILED');
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/reward/marketplace?sort=recommended' })).statusCode, 401);
  });

  it('does not spend the budget of POST /recommend/rewards (the recommender is called directly)', async () => {
    const limited = await testApp(db.url, { RATE_LIMIT_INTERNAL: '1', REDIS_PREFIX: uniquePrefix() });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await market(limited)).json().sort, 'recommended');
      const direct = () => limited.app.inject({ method: 'POST', url: '/recommend/rewards', headers: { 'x-internal-token': DEV_INTERNAL_TOKEN }, payload: { playerId: me.player.id } });
      assert.equal((await direct()).statusCode, 200, 'the internal route still has its whole budget');
      assert.equal((await direct()).statusCode, 429);
      assert.equal((await market(limited)).json().sort, 'recommended');
    } finally {
      await limited.close();
    }
  });

  it('falls back to the price order when the recommender fails (its redemptions query errors)', async () => {
    await db.sql.query('ALTER TABLE redemptions RENAME TO redemptions_away');
    try {
      const res = await market(t);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().sort, 'price');
      assert.deepEqual(res.json().rewards.map((r: Item) => r.title), ['Seed pack', 'Bus pass', 'Sold out', 'Kayak day']);
      assert.equal(res.json().rewards[0].reason, undefined);
    } finally {
      await db.sql.query('ALTER TABLE redemptions_away RENAME TO redemptions');
    }
    assert.equal((await market(t)).json().sort, 'recommended');
  });
});
