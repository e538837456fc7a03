import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { addMonths } from '../../simulate/months.ts';
import { seedLedgerHistory } from '../../simulate/testing.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../testing.ts';

const AS_OF = '2026-06';
const FROM = addMonths(AS_OF, -38);
const CAMPAIGN = `0x${'cd'.repeat(32)}`;

describe('GET /api/government/policy-insights', () => {
  let db: TestDatabase;
  let t: TestApp;
  let auditor: string;
  let player: string;
  let zoneA: string;

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    const w = newWallet();
    await db.sql.query(`UPDATE players SET role = 'auditor' WHERE id = $1`, [(await signIn(t, w)).player.id]);
    auditor = (await signIn(t, w)).accessToken;
    player = (await signIn(t)).accessToken;
    const seeded = await seedLedgerHistory(db.sql, FROM, 38, [
      { name: 'Nairobi river', countryCode: 'KE', multiplier: '1.000', missionType: 'cleanup' },
      { name: 'Lagos coast', countryCode: 'NG', multiplier: '1.250', missionType: 'planting' },
    ], (z, m) => 3 + z + Math.round(2 * Math.sin((2 * Math.PI * m) / 12)) + Math.floor(m / 6));
    zoneA = seeded.zoneIds[0]!;
    const sponsor = randomUUID();
    await db.sql.query(`INSERT INTO sponsors (id, name, address) VALUES ($1, 'S', $2)`, [sponsor, `0x${'7'.repeat(40)}`]);
    await db.sql.query(`INSERT INTO campaigns (id, sponsor_id, zone_id, name, onchain_id) VALUES ($1, $2, $3, 'C', $4)`, [randomUUID(), sponsor, zoneA, CAMPAIGN]);
    await db.sql.query(
      `INSERT INTO chain_events (chain_id, block_number, block_hash, tx_hash, log_index, contract, event_name, args) VALUES (31337, 3, $1, $1, 0, $2, 'Funded', $3::jsonb)`,
      [`0x${'02'.repeat(32)}`, `0x${'6'.repeat(40)}`, JSON.stringify({ sponsor: `0x${'7'.repeat(40)}`, campaignId: CAMPAIGN, amount: '2000000', local: '1200000', national: '600000', global: '200000' })]);
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const get = (query: string, token: string | null = auditor) =>
    t.app.inject({ method: 'GET', url: `/api/government/policy-insights${query}`, ...(token ? { headers: bearer(token) } : {}) });

  it('trends per zone and mission type, cost per impact credit and a national forecast with intervals', async () => {
    const res = await get(`?asOf=${AS_OF}`);
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json();
    assert.equal(r.months.length, 12);
    assert.deepEqual([r.months[0], r.months[11]], [addMonths(AS_OF, -12), addMonths(AS_OF, -1)]);
    const inWindow = (await db.sql.query(
      `SELECT count(*)::int AS n, sum(impact_credits)::float8 AS credits FROM ledger_entries WHERE created_at >= $1 AND created_at < $2`,
      [`${addMonths(AS_OF, -12)}-01`, `${AS_OF}-01`])).rows[0];
    assert.equal(r.byZone.reduce((a: number, z: { totals: { actions: number } }) => a + z.totals.actions, 0), inWindow.n);
    assert.equal(r.byMissionType.reduce((a: number, m: { totals: { actions: number } }) => a + m.totals.actions, 0), inWindow.n);
    assert.deepEqual(r.byMissionType.map((m: { type: string }) => m.type).sort(), ['cleanup', 'planting']);
    for (const z of r.byZone) {
      assert.equal(z.series.length, 12);
      assert.equal(typeof z.trend.impactCreditsPerMonth, 'number');
      assert.ok(z.costPerImpactCredit.heart > 0);
    }
    const a = r.byZone.find((z: { zoneId: string }) => z.zoneId === zoneA);
    const allTime = (await db.sql.query(
      `SELECT sum(l.impact_credits)::float8 AS credits, (sum(l.heart) / 1e18)::float8 AS heart FROM ledger_entries l JOIN actions a ON a.id = l.action_id
        JOIN missions m ON m.id = a.mission_id WHERE m.zone_id = $1`, [zoneA])).rows[0];
    assert.equal(a.costPerImpactCredit.funding, 2_000_000 / allTime.credits);
    assert.ok(Math.abs(a.costPerImpactCredit.heart - allTime.heart / allTime.credits) < 1e-9);
    const other = r.byZone.find((z: { zoneId: string }) => z.zoneId !== zoneA);
    assert.equal(other.costPerImpactCredit.funding, 0, 'no deposits for that zone');
    assert.equal(r.forecastUnavailable, null);
    assert.equal(r.forecast.model.method, 'sarima');
    assert.equal(r.forecast.forecast.length, 12);
    for (const p of r.forecast.forecast) {
      assert.ok(p.lower95 <= p.lower80 && p.lower80 <= p.point && p.point <= p.upper80 && p.upper80 <= p.upper95);
      assert.ok(p.upper95 - p.lower95 > p.upper80 - p.lower80);
    }
  });

  it('with under 3 months of history the forecast is null and says why; the window is adjustable', async () => {
    const r = (await get(`?asOf=${addMonths(FROM, 2)}&months=3`)).json();
    assert.equal(r.months.length, 3);
    assert.equal(r.forecast, null);
    assert.match(r.forecastUnavailable, /^2 month\(s\) of history; a forecast needs at least 3$/);
  });

  it('auditors and admins only; bad query is 400', async () => {
    assert.equal((await get('', null)).statusCode, 401);
    assert.equal((await get('', player)).statusCode, 403);
    for (const q of ['?months=0', '?months=37', '?months=x', '?asOf=2026-13', '?zone=1']) {
      const res = await get(q);
      assert.equal(res.statusCode, 400, q);
      assert.equal(res.json().error.code, 'VALIDATION_FAILED');
    }
  });
});
