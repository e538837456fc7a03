/**
 * Telemetry benchmark: ingestion throughput and the cost of a one-day rollup.
 *   tsx scripts/bench-telemetry.ts [--events 10000000] [--quick] [--batch 5000] [--days 30] [--shuffle]
 * Uses DATABASE_URL when set (it must be a database you can fill), otherwise
 * starts its own embedded Postgres (fsync off) in a temp dir. Migrates, then
 * ingests N synthetic events spread over the last `days` days through
 * recordEvents (multi-row INSERT of unnest arrays, ON CONFLICT DO NOTHING) on
 * 2 parallel connections, and times a rollup of one full day (hourly + daily).
 * Timestamps follow arrival order (event i at i/N of the span, ±1 h jitter),
 * as live telemetry does; --shuffle draws them uniformly at random instead
 * (backfill-like, worst case for the primary-key index).
 * Targets: ≥ 50k events/s; one-day rollup ≤ 2 s.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadStackConfig } from '../lib/config.ts';
import { migrate } from '../lib/migrator.ts';
import { reports } from '../telemetry/reports.ts';
import { rollup } from '../telemetry/rollup.ts';
import { ensurePartitions, recordEvents, type TelemetryEvent } from '../telemetry/store.ts';
import { startPostgres } from './stack/postgres.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    quick: { type: 'boolean', default: false },
    batch: { type: 'string', default: '5000' },
    days: { type: 'string', default: '30' },
    shuffle: { type: 'boolean', default: false },
  },
});
const total = Number(values.events ?? (values.quick ? 1_000_000 : 10_000_000));
const batchSize = Number(values.batch);
const days = Number(values.days);
if (!(total > 0 && batchSize > 0 && batchSize <= 50_000 && days >= 2)) throw new Error('bad --events/--batch/--days');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NAMES = [
  ['screen_viewed', 40], ['session_started', 15], ['quest_started', 15], ['action_submitted', 12],
  ['proof_verified', 9], ['badge_earned', 5], ['reward_redeemed', 4],
] as const;
const nameTable = NAMES.flatMap(([n, w]) => Array<string>(w).fill(n));
const players = Array.from({ length: 200_000 }, () => randomUUID());
const zones = Array.from({ length: 50 }, () => randomUUID());

let seed = 0x2545f491;
const rand = () => {
  seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
  return (seed >>> 0) / 4_294_967_296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const { DATABASE_URL } = loadStackConfig();
let stop = async () => {};
let url = DATABASE_URL;
if (!url) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oneheart-bench-telemetry-'));
  await chmod(dir, 0o755);
  const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), persistent: false, fast: true });
  url = postgres.url;
  stop = async () => {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

const pool = new pg.Pool({ connectionString: url, max: 3 });
try {
  await migrate(url);
  const end = Math.floor(Date.now() / DAY) * DAY;
  const start = end - days * DAY;
  const span = end - start;
  await ensurePartitions(pool, new Date(start), new Date(end));
  console.log(`telemetry bench: ${total.toLocaleString('en')} events over ${days} days, batches of ${batchSize}, 2 connections, ${values.shuffle ? 'shuffled' : 'arrival-ordered'} timestamps${DATABASE_URL ? '' : ' (embedded Postgres, fsync off)'}`);

  let next = 0;
  let inserted = 0;
  const worker = async () => {
    for (;;) {
      const n = Math.min(batchSize, total - next);
      if (n <= 0) return;
      const first = next;
      next += n;
      const batch: TelemetryEvent[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const name = pick(nameTable);
        batch[i] = {
          id: randomUUID(),
          name,
          occurredAt: new Date(values.shuffle ? start + Math.floor(rand() * span) : Math.min(end - 1, Math.max(start, start + Math.floor(((first + i) / total) * span + (rand() - 0.5) * 2 * HOUR)))),
          playerId: rand() < 0.95 ? pick(players) : null,
          zoneId: rand() < 0.8 ? pick(zones) : null,
          props: name === 'screen_viewed' ? { screen: 'map' } : {},
        };
      }
      const { accepted } = await recordEvents(pool, batch);
      inserted += accepted;
    }
  };
  const t0 = performance.now();
  let lastReport = t0;
  const progress = setInterval(() => {
    const now = performance.now();
    if (now - lastReport > 10_000) {
      lastReport = now;
      console.log(`  … ${inserted.toLocaleString('en')} events, ${Math.round(inserted / ((now - t0) / 1000)).toLocaleString('en')} events/s`);
    }
  }, 1000);
  await Promise.all([worker(), worker()]);
  clearInterval(progress);
  const ingestS = (performance.now() - t0) / 1000;
  const rate = inserted / ingestS;

  await pool.query('ANALYZE telemetry_events');
  const day = new Date(start + Math.floor(days / 2) * DAY);
  const dayEnd = new Date(day.getTime() + DAY);
  const { rows } = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM telemetry_events WHERE occurred_at >= $1 AND occurred_at < $2', [day, dayEnd]);
  const t1 = performance.now();
  const r = await rollup(pool, day, dayEnd);
  const rollupS = (performance.now() - t1) / 1000;
  const t2 = performance.now();
  await rollup(pool, new Date(start), new Date(end));
  const fullS = (performance.now() - t2) / 1000;
  const t3 = performance.now();
  await reports(pool, new Date(start), new Date(end));
  const reportS = (performance.now() - t3) / 1000;

  console.log(`ingest:  ${inserted.toLocaleString('en')} events in ${ingestS.toFixed(1)} s = ${Math.round(rate).toLocaleString('en')} events/s (target ≥ 50,000) ${rate >= 50_000 ? 'OK' : 'MISSED'}`);
  console.log(`rollup:  one day (${Number(rows[0]?.n ?? 0).toLocaleString('en')} events → ${r.hourlyRows} hourly + ${r.dailyRows} daily rows) in ${rollupS.toFixed(2)} s (target ≤ 2 s) ${rollupS <= 2 ? 'OK' : 'MISSED'}`);
  console.log(`extra:   rollup of all ${days} days ${fullS.toFixed(1)} s; /api/admin/reports over ${days} days ${reportS.toFixed(1)} s`);
} finally {
  await pool.end();
  await stop();
}
