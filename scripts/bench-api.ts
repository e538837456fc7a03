// `npm run bench:api [-- --quick] [-- --cpu-prof <dir>] [-- --stalls]`: the API under load on the embedded stack
// (like `npm start`, in a temporary data dir): 100k players and 1M hash-chained
// ledger entries seeded in bulk, then mixed reads (proof bundle, profile, quest
// list, leaderboard) at a fixed rate, open loop (bench-api/open-loop.ts), and
// proof submissions as fast as they are taken (autocannon) — then a check that no accepted submission was lost or
// duplicated in Postgres or the verify-proof queue. Prints figures; asserts nothing.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { createSigner } from 'fast-jwt';
import pg from 'pg';
import { VERIFY_QUEUE } from '../lib/queues.ts';
import { Failures, mixedReads, readKinds, submissions } from './bench-api/load.ts';
import { pidListeningOn, processCpuMicros } from './bench-api/process-cpu.ts';
import { seed } from './bench-api/seed.ts';
import { explainStalls } from './bench-api/stall-report.ts';
import { stallFile, watchStalls, type Stall } from './bench-api/stall-probe.ts';
import { startBenchStack } from './bench-api/stack.ts';
import { auditSubmissions, prepareSubmissions } from './bench-api/submissions.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    players: { type: 'string' },
    entries: { type: 'string' },
    rate: { type: 'string', default: '1000' },
    'read-seconds': { type: 'string' },
    'submit-seconds': { type: 'string' },
    'cpu-prof': { type: 'string' }, // a directory: the API process runs with node --cpu-prof and writes its profile there on exit
    stalls: { type: 'boolean', default: false }, // line the slowest mixed reads up with GC pauses and event-loop blocks (bench-api/stall-probe.ts)
  },
});
const quick = flags.quick ?? false;
const PLAYERS = Number(flags.players ?? (quick ? 10_000 : 100_000));
const ENTRIES = Number(flags.entries ?? (quick ? 100_000 : 1_000_000));
const RATE = Number(flags.rate);
const READ_S = Number(flags['read-seconds'] ?? (quick ? 15 : 60));
const SUBMIT_S = Number(flags['submit-seconds'] ?? (quick ? 10 : 30));
const CPU_REQUESTS = quick ? 500 : 1_500; // per read kind, for its API CPU time per request
const SUBMISSIONS = Math.max(1_000, SUBMIT_S * 400); // twice the target rate: the API should not run out

const log = (s: string) => console.log(`[bench:api] ${s}`);

/** Waits until the API stops writing bench submissions (the count unchanged for 5 s; the API's request timeout is 30 s). */
async function settled(sql: pg.Pool): Promise<void> {
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const n = Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM actions WHERE idempotency_key LIKE 'bench-%'`)).rows[0]?.n);
    if (n !== last) [last, stableSince] = [n, Date.now()];
    else if (Date.now() - stableSince >= 5_000) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}
const stack = await startBenchStack('bench-api');
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void stack.stop().then(() => process.exit(130)));

try {
  const loadAvgBefore = os.loadavg()[0]!;
  const { config, port, url, sql, storage } = stack;
  const redisClient = stack.redis;

  log(`seeding ${PLAYERS} players and ${ENTRIES} ledger entries ...`);
  const seedStart = Date.now();
  const world = await seed(sql, redisClient, config.REDIS_PREFIX, { players: PLAYERS, entries: ENTRIES, log });
  const seedSeconds = (Date.now() - seedStart) / 1000;
  const submitters = world.players.slice(-Math.ceil(SUBMISSIONS / 3));
  const subs = await prepareSubmissions(sql, storage, world, submitters, SUBMISSIONS);
  log(`prepared ${subs.length} submissions (assignments + uploaded evidence)`);

  const nodeOptions = [
    ...(flags['cpu-prof'] ? [`--cpu-prof --cpu-prof-dir=${path.resolve(flags['cpu-prof'])}`] : []),
    ...(flags.stalls ? [`--import tsx --import ${path.resolve(import.meta.dirname, 'bench-api/record-stalls.ts')}`] : []),
  ];
  await stack.startApi(nodeOptions.length ? { NODE_OPTIONS: nodeOptions.join(' ') } : {});
  const sign = createSigner({ key: config.JWT_SECRET, algorithm: 'HS256', expiresIn: 3_600_000 });
  const tokens = new Map<string, string>();
  const tokenFor = (p: { id: string; address: string }) => {
    let t = tokens.get(p.id);
    if (!t) tokens.set(p.id, (t = sign({ sub: p.id, role: 'player', address: p.address })));
    return t;
  };
  const readers = world.players.slice(0, world.players.length - submitters.length);

  // Warm-up (not measured): the first proof builds the epoch's log tree once; later proofs reuse it.
  // A build longer than the API's 30 s connection timeout drops that request; the build goes on and a retry finds it.
  const coldStart = Date.now();
  for (let attempt = 1; ; attempt++) {
    const cold = await fetch(`${url}/api/ledger/entries/0/proof`, { headers: { authorization: `Bearer ${tokenFor(readers[0]!)}` } }).catch((err: unknown) => err as Error);
    if (!(cold instanceof Error) && cold.status === 200) break;
    if (attempt === 10) throw new Error(`proof warm-up: ${cold instanceof Error ? cold.message : `${cold.status} ${await cold.text()}`}`);
  }
  const coldMs = Date.now() - coldStart;
  const kinds = readKinds(world);
  await mixedReads(url, kinds, readers, tokenFor, { rate: 100, duration: 3 });
  // Each read alone at a light rate: where the time goes. The API process's CPU
  // time over those requests (less its idle CPU over the same time) per request.
  const apiPid = await pidListeningOn(port);
  const idleStart = [await processCpuMicros(apiPid), performance.now()] as const;
  await new Promise((r) => setTimeout(r, 3_000));
  const idleCpuPerMs = (await processCpuMicros(apiPid) - idleStart[0]) / (performance.now() - idleStart[1]);
  const perKind: [string, string, string][] = [];
  for (const kind of kinds) {
    const [cpu0, t0] = [await processCpuMicros(apiPid), performance.now()];
    const r = await mixedReads(url, [kind], readers.slice(-20_000), tokenFor, { rate: 100, duration: 0, amount: CPU_REQUESTS });
    const cpuUs = (await processCpuMicros(apiPid) - cpu0 - idleCpuPerMs * (performance.now() - t0)) / (r.ok + r.non2xx);
    perKind.push([`  ${kind.name} alone`, `100 req/s, ${CPU_REQUESTS} req`, `p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms, non-2xx ${r.non2xx}, API CPU ${cpuUs.toFixed(0)} µs/req`]);
  }

  log(`mixed reads at ${RATE} req/s for ${READ_S} s ...`);
  const readFailures = new Failures();
  const loadStalls: Stall[] = [];
  const unwatch = flags.stalls ? watchStalls((st) => loadStalls.push(st)) : () => undefined;
  const readsFrom = Date.now();
  const reads = await mixedReads(url, kinds, readers, tokenFor, { rate: RATE, duration: READ_S, failures: readFailures });
  unwatch();
  const stallLines = flags.stalls ? await explainStalls(reads, kinds.map((k) => k.name), loadStalls, stallFile(apiPid), { from: readsFrom, to: Date.now() }) : [];
  const loadAvgReads = os.loadavg()[0]!;

  log(`proof submissions for up to ${SUBMIT_S} s ...`);
  const accepted = new Set<string>();
  const byId = new Map(submitters.map((p) => [p.id, p]));
  const submitFailures = new Failures();
  const submitted = await submissions(url, subs, (id) => tokenFor(byId.get(id)!), { duration: SUBMIT_S, accepted, failures: submitFailures });
  const loadAvgSubmit = os.loadavg()[0]!;
  await settled(sql); // requests autocannon gave up on at the deadline still finish on the server
  const queue = new Queue(VERIFY_QUEUE, { connection: redisClient, prefix: config.VERIFIER_QUEUE_PREFIX });
  const audit = await auditSubmissions(sql, queue, accepted);
  await queue.close();

  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const codes = (counts: Record<string, number>) => Object.entries(counts).map(([c, n]) => `${c}×${n}`).join(' ');
  const rows: [string, string, string][] = [
    ['seed', `${PLAYERS} players, ${ENTRIES} entries`, `${seedSeconds.toFixed(1)} s (${Math.round(ENTRIES / seedSeconds)} entries/s incl. players)`],
    ['first proof (cold tree)', `log tree over ${ENTRIES} entries`, `${coldMs} ms`],
    ['API process idle', 'subtracted from the CPU figures', `${(idleCpuPerMs / 10).toFixed(1)} % of a core`],
    ...perKind,
    ['reads: rate achieved', `target ${RATE} req/s, ${READ_S} s`, `${reads.rate.toFixed(0)} req/s sent, open loop`],
    ['reads: latency p50 / p99', 'target p99 ≤ 25 ms', `${ms(reads.latency.p50)} / ${ms(reads.latency.p99)} (max ${ms(reads.latency.max)})`],
    ['reads: errors', 'target 0', `${reads.errors} errors, ${reads.timeouts} timeouts, ${reads.non2xx} non-2xx [${codes(reads.codes)}]`],
    ['submissions: rate', 'target ≥ 200/s', `${(submitted['2xx'] / submitted.duration).toFixed(0)} accepted/s over ${submitted.duration.toFixed(1)} s`],
    ['submissions: latency p50 / p99', '', `${ms(submitted.latency.p50)} / ${ms(submitted.latency.p99)}`],
    ['submissions: errors', '', `${submitted.errors} errors, ${submitted.non2xx} non-2xx [${codes(Object.fromEntries(Object.entries(submitted.statusCodeStats).map(([c, st]) => [c, st.count])))}]`],
    ['submissions: lost / duplicated', 'target 0 / 0', `${audit.lost} / ${audit.duplicated} (accepted ${audit.accepted}, actions ${audit.actions}, evidence ${audit.evidence}, jobs ${audit.jobs})`],
    ['machine', `${os.cpus().length} cores, shared`, `load avg ${loadAvgBefore.toFixed(1)} before, ${loadAvgReads.toFixed(1)} after reads, ${loadAvgSubmit.toFixed(1)} after submissions`],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`\n  npm run bench:api${quick ? ' --quick' : ''}: API, Postgres, Redis, s3rver, hardhat node and the load (open-loop reads, autocannon submissions) on one machine\n`);
  for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
  for (const f of [...readFailures.samples, ...submitFailures.samples]) console.log(`  sample failure: ${f}`);
  for (const line of stallLines) console.log(`  ${line}`);
  console.log('');
} catch (err) {
  console.error('[bench:api] failed:', err);
  process.exitCode = 1;
} finally {
  await stack.stop();
}
