/**
 * `npm run telemetry:rollup [-- --hours 48]`: the telemetry maintenance job (run
 * it hourly from cron or a scheduler). Creates this and next month's event
 * partitions, recomputes the hourly and daily rollups of the last `hours`
 * hours (late events are folded in; re-running is harmless), and drops raw
 * event partitions older than TELEMETRY_RETENTION_DAYS.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadOperatorConfig } from '../lib/config.ts';
import { rollup } from '../telemetry/rollup.ts';
import { dropExpiredPartitions, ensurePartitions } from '../telemetry/store.ts';

const { values } = parseArgs({ options: { hours: { type: 'string', default: '48' } } });
const hours = Number(values.hours);
if (!(Number.isInteger(hours) && hours > 0 && hours <= 24 * 400)) throw new Error('--hours must be an integer in 1..9600');

const config = loadOperatorConfig();
const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });
try {
  const now = new Date();
  const created = await ensurePartitions(pool, now, new Date(now.getTime() + 32 * 86_400_000));
  const from = new Date(now.getTime() - hours * 3_600_000);
  const t0 = performance.now();
  const r = await rollup(pool, from, now);
  const dropped = await dropExpiredPartitions(pool, config.TELEMETRY_RETENTION_DAYS, now);
  console.log(`telemetry: ${created} partition(s) created; rollup of ${hours} h (${r.hourlyRows} hourly, ${r.dailyRows} daily rows written) in ${((performance.now() - t0) / 1000).toFixed(2)} s; ${dropped.length ? `dropped ${dropped.join(', ')}` : 'nothing past retention'} (${config.TELEMETRY_RETENTION_DAYS} days)`);
} finally {
  await pool.end();
}
