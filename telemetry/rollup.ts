import type pg from 'pg';
import { NIL_UUID } from './store.ts';

/**
 * Hourly and daily rollups of telemetry_events: per UTC bucket, event name and
 * zone (nil UUID = no zone), the event count and the distinct players.
 * `rollup` recomputes every bucket touching [from, to) from the raw events and
 * upserts it, so running it again (or over overlapping ranges) is harmless.
 * Buckets whose raw events are gone (dropped by retention) keep their rows:
 * aggregates outlive raw events.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const floorTo = (t: Date, step: number) => new Date(Math.floor(t.getTime() / step) * step);
const ceilTo = (t: Date, step: number) => new Date(Math.ceil(t.getTime() / step) * step);

export interface RollupResult {
  hourlyRows: number;
  dailyRows: number;
}

const upsert = (table: 'telemetry_hourly' | 'telemetry_daily', unit: 'hour' | 'day') => `
  INSERT INTO ${table} (bucket, name, zone_id, count, unique_players)
  SELECT date_trunc('${unit}', occurred_at, 'UTC'), name, coalesce(zone_id, '${NIL_UUID}'::uuid), count(*), count(DISTINCT player_id)
  FROM telemetry_events WHERE occurred_at >= $1 AND occurred_at < $2
  GROUP BY 1, 2, 3
  ON CONFLICT (bucket, name, zone_id) DO UPDATE SET count = EXCLUDED.count, unique_players = EXCLUDED.unique_players
  WHERE (${table}.count, ${table}.unique_players) IS DISTINCT FROM (EXCLUDED.count, EXCLUDED.unique_players)`;

/** Recomputes the hourly and daily buckets overlapping [from, to) in one transaction. */
export async function rollup(pool: pg.Pool, from: Date, to: Date): Promise<RollupResult> {
  if (!(from < to)) throw new RangeError('rollup: from must be before to');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const hourly = await client.query(upsert('telemetry_hourly', 'hour'), [floorTo(from, HOUR), ceilTo(to, HOUR)]);
    const daily = await client.query(upsert('telemetry_daily', 'day'), [floorTo(from, DAY), ceilTo(to, DAY)]);
    await client.query('COMMIT');
    return { hourlyRows: hourly.rowCount ?? 0, dailyRows: daily.rowCount ?? 0 };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
