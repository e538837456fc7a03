import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { bearer, newWallet, signIn, testApp, uniquePrefix, type TestApp } from '../testing.ts';

describe('rate limits on the shared Redis', () => {
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  before(async () => {
    db = await freshDatabase();
    const shared = { REDIS_PREFIX: uniquePrefix(), RATE_LIMIT_ANON: '4', RATE_LIMIT_USER: '3', RATE_LIMIT_ADMIN: '5' };
    a = await testApp(db.url, shared);
    b = await testApp(db.url, shared);
  });
  after(async () => {
    await a.close();
    await b.close();
    await db.drop();
  });

  it('two instances count one anonymous client together; over the limit is 429 with Retry-After and our error body', async () => {
    const nonce = (t: TestApp) => t.app.inject({ method: 'POST', url: '/api/auth/nonce', remoteAddress: '10.0.0.7' });
    const codes = [];
    for (const t of [a, b, a, b]) codes.push((await nonce(t)).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 200]);
    const limited = await nonce(b);
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    const body = limited.json();
    assert.equal(body.error.code, 'RATE_LIMITED');
    assert.equal(typeof body.error.requestId, 'string');
    assert.equal((await nonce(a)).statusCode, 429);
    // another client is not affected
    assert.equal((await a.app.inject({ method: 'POST', url: '/api/auth/nonce', remoteAddress: '10.0.0.8' })).statusCode, 200);
  });

  it('a signed-in player is counted by player id across instances, not by IP', async () => {
    const s = await signIn(a); // 2 anonymous requests from 127.0.0.1
    const get = (t: TestApp) => t.app.inject({ method: 'GET', url: `/api/player/${s.player.id}`, headers: bearer(s.accessToken) });
    assert.deepEqual([(await get(a)).statusCode, (await get(b)).statusCode, (await get(a)).statusCode], [200, 200, 200]);
    const limited = await get(b);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.code, 'RATE_LIMITED');
    // the anonymous budget of the same IP is separate
    assert.equal((await b.app.inject({ method: 'POST', url: '/api/auth/nonce' })).statusCode, 200);
  });

  it('admin routes have their own, larger budget per admin', async () => {
    const other = await testApp(db.url); // sign in elsewhere so the anonymous budget above stays untouched
    try {
      const wallet = newWallet();
      const first = await signIn(other, wallet);
      await db.sql.query(`UPDATE players SET role = 'admin' WHERE id = $1`, [first.player.id]);
      const { accessToken } = await signIn(other, wallet);
      const create = (t: TestApp) => t.app.inject({ method: 'POST', url: '/api/quest/create', headers: bearer(accessToken), payload: {} });
      const codes = [];
      for (const t of [a, b, a, b, a]) codes.push((await create(t)).statusCode);
      assert.deepEqual(codes, [400, 400, 400, 400, 400]); // reached validation: within budget
      const limited = await create(b);
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'RATE_LIMITED');
      const list = await a.app.inject({ method: 'GET', url: '/api/quest/list', headers: bearer(accessToken) });
      assert.equal(list.statusCode, 200);
    } finally {
      await other.close();
    }
  });

  it('health checks are not rate limited', async () => {
    for (let i = 0; i < 6; i++) assert.equal((await a.app.inject({ method: 'GET', url: '/health', remoteAddress: '10.0.0.7' })).statusCode, 200);
  });
});
