import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { addMonths } from '../../simulate/months.ts';
import { seedLedgerHistory } from '../../simulate/testing.ts';
import { bearer, newWallet, signIn, testApp, type TestApp, uniquePrefix } from '../testing.ts';

const AS_OF = '2026-06';
const FROM = addMonths(AS_OF, -40);

interface Point { month: string; point: number; lower80: number; upper80: number; lower95: number; upper95: number }

/** Intervals nest around the point, the 95% one strictly wider, 12 consecutive months from asOf. */
function assertForecastShape(body: { asOf: string; forecast: Point[] }, horizon = 12) {
  assert.equal(body.forecast.length, horizon);
  body.forecast.forEach((p, i) => {
    assert.equal(p.month, addMonths(body.asOf, i));
    assert.ok(p.lower95 <= p.lower80 && p.lower80 <= p.point && p.point <= p.upper80 && p.upper80 <= p.upper95, JSON.stringify(p));
    assert.ok(p.upper95 - p.lower95 > p.upper80 - p.lower80, `95% wider than 80% at ${p.month}`);
  });
}

describe('simulate API', () => {
  let db: TestDatabase;
  let t: TestApp;
  let auditor: string;
  let admin: string;
  let player: string;
  let zoneA: string;
  let zoneB: string;

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    for (const role of ['auditor', 'admin'] as const) {
      const w = newWallet();
      await db.sql.query(`UPDATE players SET role = $2 WHERE id = $1`, [(await signIn(t, w)).player.id, role]);
      const token = (await signIn(t, w)).accessToken;
      if (role === 'auditor') auditor = token;
      else admin = token;
    }
    player = (await signIn(t)).accessToken;
    // zone A: 40 months with a trend and a yearly season; zone B (another country): only the last 10 months
    const seeded = await seedLedgerHistory(db.sql, FROM, 40, [
      { name: 'Nairobi river', countryCode: 'KE', multiplier: '1.000', missionType: 'cleanup' },
      { name: 'Kampala hills', countryCode: 'UG', multiplier: '1.500', missionType: 'planting' },
    ], (z, m) => (z === 0 ? 4 + Math.round(3 * Math.sin((2 * Math.PI * m) / 12)) + Math.floor(m / 8) + (m % 3) : m < 30 ? 0 : 2 + (m % 3)));
    [zoneA, zoneB] = seeded.zoneIds as [string, string];
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const post = (url: string, payload: unknown, token?: string) => t.app.inject({ method: 'POST', url, payload: payload as object, ...(token ? { headers: bearer(token) } : {}) });

  it('national forecast: seasonal ARIMA on 40 months, 12 months with nested 80%/95% intervals, per metric and per country', async () => {
    for (const metric of ['impactCredits', 'actions', 'heartMinted']) {
      const res = await post('/simulate/national-impact', { metric, asOf: AS_OF }, auditor);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.metric, metric);
      assert.equal(body.history.length, 40);
      assert.equal(body.history[0].month, FROM);
      assert.deepEqual([body.model.method, body.model.fallback, body.model.note], ['sarima', false, null]);
      assertForecastShape(body);
    }
    const actions = (await post('/simulate/national-impact', { metric: 'actions', asOf: AS_OF, horizon: 6 }, admin)).json();
    assert.equal(actions.forecast.length, 6);
    const seededCount = Number((await db.sql.query(`SELECT count(*) FROM ledger_entries WHERE created_at < $1`, [`${AS_OF}-01`])).rows[0].count);
    assert.equal(actions.history.reduce((a: number, h: { value: number }) => a + h.value, 0), seededCount);

    const uganda = (await post('/simulate/national-impact', { countryCode: 'UG', asOf: AS_OF }, auditor)).json();
    assert.equal(uganda.history.length, 10);
    assert.equal(uganda.model.fallback, true);
    assert.match(uganda.model.note, /^10 months of history \(the seasonal model needs 36\)/);
    assertForecastShape(uganda);
  });

  it('regional forecast: one zone; a short history falls back to a simpler model and says so; unknown zone 404', async () => {
    const a = await post('/simulate/regional-impact', { zoneId: zoneA, asOf: AS_OF }, auditor);
    assert.equal(a.statusCode, 200, a.body);
    assert.deepEqual(a.json().scope, { kind: 'zone', zoneId: zoneA });
    assert.equal(a.json().model.method, 'sarima');
    assertForecastShape(a.json());
    const b = (await post('/simulate/regional-impact', { zoneId: zoneB, metric: 'actions', asOf: AS_OF }, auditor)).json();
    assert.equal(b.model.fallback, true);
    assert.notEqual(b.model.method, 'sarima');
    assert.ok(b.model.note.length > 0);
    assertForecastShape(b);
    const missing = await post('/simulate/regional-impact', { zoneId: randomUUID(), asOf: AS_OF }, auditor);
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'NOT_FOUND');
  });

  it('cohort forecast: players by the month of their first entry; an empty cohort is 422 INSUFFICIENT_HISTORY', async () => {
    const res = await post('/simulate/cohort-impact', { cohort: FROM, asOf: AS_OF }, auditor);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.history.length, 40, 'the first cohort is active from the first month');
    assertForecastShape(body);
    const later = (await post('/simulate/cohort-impact', { cohort: addMonths(FROM, 20), metric: 'actions', asOf: AS_OF }, auditor)).json();
    assert.equal(later.history.length, 20);
    assertForecastShape(later);
    const empty = await post('/simulate/cohort-impact', { cohort: '2019-01', asOf: AS_OF }, auditor);
    assert.equal(empty.statusCode, 422);
    assert.deepEqual([empty.json().error.code, empty.json().error.details], ['INSUFFICIENT_HISTORY', { months: 0 }]);
  });

  it('forecast routes: auditors and admins only; bad input is a 400 naming the problem', async () => {
    const routes: [string, object][] = [
      ['/simulate/national-impact', {}], ['/simulate/regional-impact', { zoneId: zoneA }], ['/simulate/cohort-impact', { cohort: FROM }],
    ];
    for (const [url, body] of routes) {
      assert.equal((await post(url, body)).statusCode, 401, url);
      const refused = await post(url, body, player);
      assert.equal(refused.statusCode, 403, url);
      assert.equal(refused.json().error.code, 'FORBIDDEN');
      for (const bad of [{ metric: 'happiness' }, { asOf: '2026-13' }, { horizon: 0 }, { horizon: 25 }, { unknown: 1 }]) {
        const res = await post(url, { ...body, ...bad }, auditor);
        assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(bad)}`);
        assert.equal(res.json().error.code, 'VALIDATION_FAILED');
      }
    }
    assert.equal((await post('/simulate/regional-impact', { zoneId: 'not-a-uuid' }, auditor)).statusCode, 400);
    assert.equal((await post('/simulate/regional-impact', {}, auditor)).statusCode, 400);
    assert.equal((await post('/simulate/cohort-impact', { cohort: '2026-1' }, auditor)).statusCode, 400);
    assert.equal((await post('/simulate/national-impact', { countryCode: 'kenya' }, auditor)).statusCode, 400);
  });

  it('rate-limits each simulate route per caller: the call after RATE_LIMIT_SIMULATE in a minute is 429 RATE_LIMITED', async () => {
    const limited = await testApp(db.url, { RATE_LIMIT_SIMULATE: '2', REDIS_PREFIX: uniquePrefix() });
    try {
      const call = (url: string, token: string) => limited.app.inject({ method: 'POST', url, headers: bearer(token), payload: { metric: 'actions', asOf: AS_OF, horizon: 3 } });
      for (let i = 0; i < 2; i++) assert.equal((await call('/simulate/national-impact', auditor)).statusCode, 200);
      const refused = await call('/simulate/national-impact', auditor);
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.json().error.code, 'RATE_LIMITED');
      // counted per route and per caller
      assert.equal((await call('/simulate/national-impact', admin)).statusCode, 200);
      assert.equal((await call('/simulate/cohort-impact', auditor)).statusCode, 400);
    } finally {
      await limited.close();
    }
  });
});
