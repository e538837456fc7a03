import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { dropExpiredPartitions, ensurePartitions, listPartitions, recordEvents, type TelemetryEvent } from './store.ts';

describe('telemetry store: partitions, retention, idempotent ingest', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    pool.on('error', () => {}); // an idle client the server closes must not crash the run (pg requires a listener)
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  const ev = (occurredAt: string, over: Partial<TelemetryEvent> = {}): TelemetryEvent =>
    ({ id: randomUUID(), name: 'screen_viewed', occurredAt, playerId: randomUUID(), props: { screen: 'map' }, ...over });

  it('creates monthly partitions for a range and routes rows into them', async () => {
    const created = await ensurePartitions(pool, new Date('2025-01-31T23:00:00Z'), new Date('2025-03-01T00:00:00Z'));
    assert.equal(created, 3);
    assert.equal(await ensurePartitions(pool, new Date('2025-02-10T00:00:00Z'), new Date('2025-02-11T00:00:00Z')), 0);
    const names = (await listPartitions(pool)).map((p) => p.name);
    for (const n of ['telemetry_events_p202501', 'telemetry_events_p202502', 'telemetry_events_p202503']) assert.ok(names.includes(n), n);
    // recordEvents creates the partitions it needs (2024-12 did not exist)
    const res = await recordEvents(pool, [ev('2024-12-31T23:59:59.999Z'), ev('2025-01-31T23:59:59.999Z'), ev('2025-02-01T00:00:00Z'), ev('2025-03-15T12:00:00Z')]);
    assert.deepEqual(res, { accepted: 4, duplicates: 0 });
    const { rows } = await db.sql.query<{ part: string; n: number }>(
      `SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM telemetry_events GROUP BY 1 ORDER BY 1`);
    assert.deepEqual(rows, [
      { part: 'telemetry_events_p202412', n: 1 },
      { part: 'telemetry_events_p202501', n: 1 },
      { part: 'telemetry_events_p202502', n: 1 },
      { part: 'telemetry_events_p202503', n: 1 },
    ]);
    const plan = await db.sql.query(`EXPLAIN SELECT * FROM telemetry_events WHERE occurred_at >= '2025-02-01Z' AND occurred_at < '2025-03-01Z'`);
    const text = plan.rows.map((r: Record<string, string>) => Object.values(r).join('')).join('\n');
    assert.match(text, /telemetry_events_p202502/);
    assert.doesNotMatch(text, /telemetry_events_p202501|telemetry_events_p202503/);
  });

  it('is idempotent: the same batch twice stores each event once', async () => {
    const batch = Array.from({ length: 50 }, (_, i) => ev(`2025-02-0${1 + (i % 5)}T10:00:00Z`, { name: 'quest_started' }));
    const withInnerDup = [...batch, batch[0]!];
    assert.deepEqual(await recordEvents(pool, withInnerDup), { accepted: 50, duplicates: 1 });
    assert.deepEqual(await recordEvents(pool, batch), { accepted: 0, duplicates: 50 });
    const { rows } = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_events WHERE id = ANY($1::uuid[])`, [batch.map((e) => e.id)]);
    assert.equal(rows[0]?.n, 50);
  });

  it('retention drops only partitions whose whole month is older than the retention period', async () => {
    await ensurePartitions(pool, new Date('2024-10-01T00:00:00Z'), new Date('2024-12-01T00:00:00Z'));
    // cutoff = 2025-02-02 - 31 days = 2025-01-02: 2024-10..2024-12 ended before it; 2025-01 did not.
    const dropped = await dropExpiredPartitions(pool, 31, new Date('2025-02-02T00:00:00Z'));
    assert.deepEqual(dropped, ['telemetry_events_p202410', 'telemetry_events_p202411', 'telemetry_events_p202412']);
    const left = (await listPartitions(pool)).map((p) => p.name);
    assert.ok(left.includes('telemetry_events_p202501'));
    assert.ok(!left.some((n) => n < 'telemetry_events_p202501'));
    const { rows } = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_events WHERE occurred_at < '2025-01-01Z'`);
    assert.equal(rows[0]?.n, 0);
    const kept = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_events WHERE occurred_at >= '2025-01-01Z'`);
    assert.equal(kept.rows[0]?.n, 53);
    // events for a dropped month can be recorded again later (the partition is recreated)
    assert.deepEqual(await recordEvents(pool, [ev('2024-12-05T00:00:00Z')]), { accepted: 1, duplicates: 0 });
  });
});
