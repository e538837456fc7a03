import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { reports } from './reports.ts';
import { rollup } from './rollup.ts';
import { NIL_UUID, recordEvents, type TelemetryEvent } from './store.ts';

describe('telemetry rollups and reports', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  const zoneA = randomUUID();
  const zoneB = randomUUID();
  const players = Array.from({ length: 6 }, () => randomUUID());
  const p = (i: number) => players[i]!;
  const ev = (name: string, occurredAt: string, player: string | null, zoneId: string | null = null): TelemetryEvent =>
    ({ id: randomUUID(), name, occurredAt, playerId: player, zoneId });

  it('rollup equals a direct count and is idempotent', async () => {
    const names = ['screen_viewed', 'quest_started', 'badge_earned'];
    const zones = [zoneA, zoneB, null];
    const batch: TelemetryEvent[] = [];
    for (let i = 0; i < 3000; i++) {
      const t = new Date(Date.UTC(2025, 5, 9, 20) + i * 37_000); // 2025-06-09 20:00 → ~2025-06-11 06:50
      batch.push(ev(names[i % 3]!, t.toISOString(), i % 7 === 0 ? null : p(i % 5), zones[i % 4 === 3 ? 2 : i % 2]!));
    }
    await recordEvents(pool, batch);
    const from = new Date('2025-06-10T00:00:00Z');
    const to = new Date('2025-06-11T00:00:00Z');
    const first = await rollup(pool, from, to);
    assert.ok(first.hourlyRows > 0 && first.dailyRows > 0);
    const snapshot = async (table: string) => (await db.sql.query(
      `SELECT bucket, name, zone_id, count::int, unique_players FROM ${table} ORDER BY 1, 2, 3`)).rows;
    const hourly = await snapshot('telemetry_hourly');
    const daily = await snapshot('telemetry_daily');
    assert.deepEqual(await rollup(pool, from, to), { hourlyRows: 0, dailyRows: 0 }, 'nothing changed, nothing rewritten');
    await rollup(pool, new Date('2025-06-10T05:30:00Z'), new Date('2025-06-10T07:10:00Z'));
    assert.deepEqual(await snapshot('telemetry_hourly'), hourly);
    assert.deepEqual(await snapshot('telemetry_daily'), daily);

    const direct = (unit: string) => db.sql.query(`
      SELECT date_trunc('${unit}', occurred_at, 'UTC') AS bucket, name, coalesce(zone_id, '${NIL_UUID}') AS zone_id,
        count(*)::int AS count, count(DISTINCT player_id)::int AS unique_players
      FROM telemetry_events WHERE occurred_at >= $1 AND occurred_at < $2 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`, [from, to]);
    assert.deepEqual(daily, (await direct('day')).rows);
    assert.deepEqual(hourly, (await direct('hour')).rows);
    assert.equal(hourly.length, 24 * 3 * 3);
    const total = daily.reduce((s: number, r: { count: number }) => s + r.count, 0);
    assert.equal(total, batch.filter((e) => String(e.occurredAt).startsWith('2025-06-10')).length);

    // a late event changes its buckets on the next rollup
    await recordEvents(pool, [ev('badge_earned', '2025-06-10T12:00:01Z', randomUUID(), zoneA)]);
    await rollup(pool, from, to);
    assert.deepEqual((await snapshot('telemetry_daily')), (await direct('day')).rows);
  });

  it('reports active players, the funnel and retention cohorts on a seeded dataset', async () => {
    const d = (day: number, h = 12) => new Date(Date.UTC(2025, 7, day, h)).toISOString(); // August 2025
    const seed: TelemetryEvent[] = [
      // cohort 2025-08-01: p0, p1, p2; cohort 2025-08-02: p3. p4 had a session in July → not in an August cohort.
      ev('session_started', d(1, 8), p(0), zoneA), ev('session_started', d(1, 9), p(1), zoneA), ev('session_started', d(1, 10), p(2), zoneB),
      ev('session_started', d(2), p(3), zoneB), ev('session_started', '2025-07-20T10:00:00Z', p(4)), ev('session_started', d(1), p(4), zoneB),
      // day 2 (D1 of the 08-01 cohort): p0 and p1 return
      ev('screen_viewed', d(2, 1), p(0), zoneA), ev('session_started', d(2, 23), p(1)),
      // day 8 (D7): p0 returns; day 31 (D30): p2 returns
      ev('screen_viewed', d(8), p(0), zoneA), ev('session_started', d(31), p(2), zoneB),
      // funnel in August: p0 does all steps; p1 starts and submits; p2 only verifies (no start); p3 starts
      ev('quest_started', d(1, 13), p(0), zoneA), ev('action_submitted', d(1, 14), p(0), zoneA), ev('proof_verified', d(1, 15), p(0), zoneA),
      ev('reward_redeemed', d(1, 16), p(0), zoneA), ev('quest_started', d(1, 13), p(1), zoneA), ev('action_submitted', d(1, 14), p(1), zoneA),
      ev('action_submitted', d(1, 18), p(1), zoneA), ev('proof_verified', d(1, 17), p(2), zoneB), ev('quest_started', d(2), p(3), zoneB),
      // p5 submits without having started a quest in the range: an event, not a funnel player
      ev('action_submitted', d(3), p(5)),
      // anonymous events count as events, never as players
      ev('quest_started', d(1), null, zoneA),
    ];
    await recordEvents(pool, seed);
    const from = new Date('2025-08-01T00:00:00Z');
    const to = new Date('2025-09-01T00:00:00Z');
    await rollup(pool, from, to);
    const r = await reports(pool, from, to, new Date('2025-09-15T00:00:00Z'));
    assert.deepEqual(r.activePlayers, [
      { day: '2025-08-01', players: 4 }, { day: '2025-08-02', players: 3 }, { day: '2025-08-03', players: 1 }, { day: '2025-08-08', players: 1 },
      { day: '2025-08-31', players: 1 },
    ]);
    const zoneRows = r.activeByZone.filter((z) => z.day === '2025-08-01');
    assert.deepEqual(zoneRows.sort((a, b) => a.zoneId.localeCompare(b.zoneId)), [
      { day: '2025-08-01', zoneId: zoneA, players: 2 }, { day: '2025-08-01', zoneId: zoneB, players: 2 },
    ].sort((a, b) => a.zoneId.localeCompare(b.zoneId)));
    assert.deepEqual(r.funnel, [
      { step: 'quest_started', events: 4, players: 3 },
      { step: 'action_submitted', events: 4, players: 2 },
      { step: 'proof_verified', events: 2, players: 1 },
      { step: 'reward_redeemed', events: 1, players: 1 },
    ]);
    assert.deepEqual(r.retention, [
      { cohort: '2025-08-01', players: 3, d1: 2, d7: 1, d30: 1 },
      { cohort: '2025-08-02', players: 1, d1: 0, d7: 0, d30: 0 },
    ]);
    // days that have not started yet are null, not 0
    const early = await reports(pool, from, to, new Date('2025-08-05T00:00:00Z'));
    assert.deepEqual(early.retention[0], { cohort: '2025-08-01', players: 3, d1: 2, d7: null, d30: null });
  });
});
