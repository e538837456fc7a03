/**
 * How long a recommender refresh blocks the API's event loop: the Recommender's
 * first snapshot (Postgres load, context, choice model, BPR) on a simulated
 * world seeded into a private embedded Postgres, with the fits on the main
 * thread (how the API ran them before) vs in a worker thread (fitInWorker, what
 * it runs now).
 *   tsx recommend/bench-refit.ts [--rounds 2] [--quick]
 * Per refresh: longest event-loop stall (setInterval probe every 5 ms, and
 * perf_hooks.monitorEventLoopDelay max / p99), main-thread busy time (event-loop
 * utilisation), process CPU (all threads) and wall time. The machine may be
 * shared: wall-clock figures are noisy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDb } from '../lib/db.ts';
import { migrate } from '../lib/migrator.ts';
import { startPostgres } from '../scripts/stack/postgres.ts';
import { type Fit, fitOnThisThread } from './fit-job.ts';
import { fitInWorker } from './fit-in-worker.ts';
import { Recommender } from './service.ts';
import { simulateWorld } from './sim.ts';
import { seedWorld } from './testing.ts';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '2' }, quick: { type: 'boolean', default: false } } });
const rounds = Number(args.rounds);
const PROBE_MS = 5;

interface Figures { stallMs: number; eldMaxMs: number; eldP99Ms: number; busyMs: number; cpuMs: number; wallMs: number }

/** One first snapshot of a fresh Recommender (a full refit) while the event loop is watched. */
async function measure(db: ReturnType<typeof createDb>, fit: Fit): Promise<Figures> {
  const recommender = new Recommender(db, { fit });
  const eld = monitorEventLoopDelay({ resolution: 1 });
  let last = performance.now();
  let stallMs = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last - PROBE_MS);
    last = now;
  }, PROBE_MS);
  eld.enable();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const snap = await recommender.snapshot();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  // One more probe tick after the refresh, so a stall at its very end is counted.
  await new Promise((r) => setTimeout(r, PROBE_MS * 3));
  clearInterval(probe);
  eld.disable();
  if (!snap.mf || !snap.choice) throw new Error('the refresh fitted no models');
  return { stallMs, eldMaxMs: eld.max / 1e6, eldP99Ms: eld.percentile(99) / 1e6, busyMs: elu.active, cpuMs: (cpu.user + cpu.system) / 1000, wallMs };
}

/** Seeds the simulated world into a fresh database at `url`; returns the world's history. */
async function seed(url: string) {
  await migrate(url);
  const world = args.quick ? simulateWorld({ seed: 2, players: 150, zonesPerCity: 4, days: 60 }) : simulateWorld({ seed: 2 });
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  try {
    await seedWorld(sql, world);
  } finally {
    await sql.end();
  }
  return world.history;
}

async function run(url: string): Promise<void> {
  const h = await seed(url);
  console.log(`world: simulateWorld seed 2${args.quick ? ' (quick: 150 players)' : ''}: ${h.players.length} players, ${h.missions.length} missions, ${h.completions.length} approved completions; ${os.availableParallelism()} cores`);
  const modes: [string, Fit][] = [['main thread (before)', fitOnThisThread], ['worker thread (after)', fitInWorker]];
  const results = new Map<string, Figures[]>(modes.map(([name]) => [name, []]));
  const db = createDb(url);
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [name, fit] of modes) {
        const f = await measure(db, fit);
        results.get(name)?.push(f);
        console.log(`round ${r + 1} ${name.padEnd(22)} stall ${f.stallMs.toFixed(0).padStart(5)} ms | ELD max ${f.eldMaxMs.toFixed(0).padStart(5)} ms p99 ${f.eldP99Ms.toFixed(0).padStart(5)} ms | main thread busy (wall) ${f.busyMs.toFixed(0).padStart(5)} ms | CPU (all threads) ${f.cpuMs.toFixed(0).padStart(5)} ms | wall ${f.wallMs.toFixed(0).padStart(5)} ms`);
      }
    }
  } finally {
    await db.$disconnect();
  }
  console.log('\nworst over the rounds:');
  for (const [name, fs] of results) {
    const worst = (k: keyof Figures) => Math.max(...fs.map((f) => f[k])).toFixed(0);
    console.log(`  ${name.padEnd(22)} longest stall ${worst('stallMs')} ms, ELD max ${worst('eldMaxMs')} ms, ELD p99 ${worst('eldP99Ms')} ms, main thread busy ${worst('busyMs')} ms, wall ${worst('wallMs')} ms`);
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'oneheart-bench-refit-'));
const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), persistent: false, fast: true });
try {
  const admin = new pg.Client({ connectionString: postgres.adminUrl() });
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  await run(postgres.adminUrl('bench'));
} catch (err) {
  console.error('bench:recommend failed:', err);
  process.exitCode = 1;
} finally {
  await postgres.stop();
  await rm(dir, { recursive: true, force: true });
}
