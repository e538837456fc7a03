// npm run bench:vision-dups — duplicate lookup at scale: BENCH_DUP_ITEMS (default 1,000,000)
// SYNTHETIC descriptors (clustered random 256-d vectors, not images: describing a million
// photos would take a day on this machine) are written to visual_descriptors in a throwaway
// database, one DuplicateIndex loads them (build time, memory), then each lookup is what the
// verifier does per image: a catch-up query (nothing new) + the HNSW search. Then the index is
// snapshotted to the S3-compatible store (s3rver) and loaded back as a starting worker would,
// against the rebuild from Postgres above: size, save and load time, and whether the loaded index
// answers as the built one. Prints figures; the 2-core machine is shared, so wall-clock numbers
// are noisy (CPU time of this process is printed too; s3rver and Postgres run in their own).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lib/config.ts';
import { freshDatabase } from '../../test/helpers/database.ts';
import { mulberry32 } from '../../lib/mulberry32.ts';
import { Storage } from '../../lib/storage.ts';
import { startS3Process } from '../../scripts/stack/s3-process.ts';
import { startTestServices } from '../../scripts/stack/test-services.ts';
import { DESCRIPTOR_DIMS, normalise } from './descriptor.ts';
import { DuplicateIndex, encodeDescriptor } from './dup-index.ts';
import { loadSnapshot, saveSnapshot } from './dup-snapshot.ts';

const N = Number(process.env.BENCH_DUP_ITEMS ?? 1_000_000);
const LOOKUPS = Number(process.env.BENCH_DUP_LOOKUPS ?? 2_000);
const CLUSTERS = 1_000;
const BATCH = 10_000;
const VERSION = 'b'.repeat(64);

const rnd = mulberry32(42);
const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
const centres = Array.from({ length: CLUSTERS }, () => Float32Array.from({ length: DESCRIPTOR_DIMS }, gauss));
/** Item i: its cluster's centre plus noise, normalised; regenerated from its own seed so queries can rebuild it. */
function item(i: number): Float32Array {
  const r = mulberry32(i + 1);
  const c = centres[i % CLUSTERS] ?? new Float32Array(DESCRIPTOR_DIMS);
  return normalise(c.map((x) => x + 1.2 * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())));
}
const evidenceOf = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? Number.NaN;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const cpuS = (c: NodeJS.CpuUsage) => `${((c.user + c.system) / 1e6).toFixed(1)} s CPU`;
/** Wall seconds and this process's CPU usage of `fn`. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; s: number; cpu: NodeJS.CpuUsage }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = await fn();
  return { value, s: (performance.now() - t) / 1000, cpu: process.cpuUsage(cpu) };
}

const services = await startTestServices();
const s = services.env;
const database = await freshDatabase(s);
const db = database.sql;
try {
  // ---- write N rows (foreign keys off for this session: the evidence rows they name do not exist) ----
  let t = performance.now();
  await db.query(`SET session_replication_role = replica`);
  const action = randomUUID();
  for (let start = 0; start < N; start += BATCH) {
    const n = Math.min(BATCH, N - start);
    const evidence = Array.from({ length: n }, (_, k) => evidenceOf(start + k));
    const descriptors = Array.from({ length: n }, (_, k) => encodeDescriptor(item(start + k)));
    await db.query(
      `INSERT INTO visual_descriptors (evidence_id, action_id, model_version, descriptor) SELECT e, $2, $3, d FROM unnest($1::uuid[], $4::bytea[]) AS v(e, d)`,
      [evidence, action, VERSION, descriptors],
    );
  }
  await db.query(`SET session_replication_role = origin`);
  const writeS = (performance.now() - t) / 1000;
  const tableSize = (await db.query<{ b: string }>(`SELECT pg_total_relation_size('visual_descriptors')::text AS b`)).rows[0]?.b ?? '0';

  // ---- build the in-memory index from Postgres ----
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  t = performance.now();
  const index = new DuplicateIndex(db, VERSION);
  await index.catchUp();
  const buildS = (performance.now() - t) / 1000;
  const buildCpu = process.cpuUsage(cpu0);
  const rss1 = process.memoryUsage().rss;
  console.log(`visual duplicate lookup over ${N.toLocaleString()} stored SYNTHETIC 256-d descriptors (i8 in Postgres and in the usearch HNSW index, cosine, M=16)`);
  console.log(`machine: ${os.cpus().length} cores shared with other jobs, load average ${os.loadavg()[0]?.toFixed(1)} — wall-clock figures are noisy`);
  console.log(`write ${N.toLocaleString()} rows: ${writeS.toFixed(1)} s; table + indexes ${mb(Number(tableSize))}`);
  console.log(`build (load ${index.size.toLocaleString()} descriptors from Postgres + HNSW insert): ${buildS.toFixed(1)} s wall, ${cpuS(buildCpu)}; RSS +${mb(rss1 - rss0)} (process RSS ${mb(rss1)})`);

  // ---- lookups: half near-copies of stored items (found?), half fresh vectors ----
  const total: number[] = [];
  const search: number[] = [];
  let found = 0;
  const other = randomUUID();
  const cpu1 = process.cpuUsage();
  for (let q = 0; q < LOOKUPS; q++) {
    const target = Math.floor(rnd() * N);
    const near = q % 2 === 0;
    const base = near ? item(target) : normalise(Float32Array.from({ length: DESCRIPTOR_DIMS }, gauss));
    const query = near ? normalise(base.map((x) => x + 0.02 * gauss())) : base;
    const t0 = performance.now();
    await index.catchUp();
    const t1 = performance.now();
    const m = index.nearest(query, other);
    const t2 = performance.now();
    total.push(t2 - t0);
    search.push(t2 - t1);
    if (near && m?.evidenceId === evidenceOf(target)) found++;
  }
  const lookCpu = process.cpuUsage(cpu1);
  console.log(`${LOOKUPS} lookups (catch-up query + search):  p50 ${quantile(total, 0.5).toFixed(2)} ms  p99 ${quantile(total, 0.99).toFixed(2)} ms  (target p99 ≤ 10 ms)`);
  console.log(`  HNSW search alone:                    p50 ${quantile(search, 0.5).toFixed(2)} ms  p99 ${quantile(search, 0.99).toFixed(2)} ms`);
  console.log(`  CPU per lookup (this process): ${((lookCpu.user + lookCpu.system) / 1000 / LOOKUPS).toFixed(2)} ms`);
  console.log(`  near copies found (recall@1 of ${LOOKUPS / 2}): ${((found / (LOOKUPS / 2)) * 100).toFixed(1)} %`);

  // ---- snapshot: save to s3rver (a process of its own), load back as a starting worker does ----
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-dup-'));
  const s3 = await startS3Process(path.join(tmp, 's3'));
  const storage = new Storage(loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, REDIS_URL: s.REDIS_URL, S3_ENDPOINT: s3.url, RPC_URL: s.RPC_URL, S3_BUCKET: 'bench-dup-snapshots' }));
  const options = { storage, prefix: 'vision-index/', dir: tmp };
  const quiet = { info: () => undefined, warn: (o: object, m: string) => console.log(m, o) };
  try {
    await storage.ensureBucket();
    const graph = await timed(() => index.exportState(path.join(tmp, 'graph.usearch')));
    const graphBytes = (await stat(path.join(tmp, 'graph.usearch'))).size;
    const saved = await timed(() => saveSnapshot(index, options));
    global.gc?.();
    const rss2 = process.memoryUsage().rss;
    const loaded = await timed(() => loadSnapshot(db, VERSION, options, quiet));
    const restored = loaded.value;
    if (!restored) throw new Error('snapshot did not load');
    const caught = await timed(() => restored.catchUp());
    const rss3 = process.memoryUsage().rss;
    let same = 0;
    const checks = Math.min(LOOKUPS, 1_000);
    for (let q = 0; q < checks; q++) {
      const v = q % 2 === 0 ? item(Math.floor(rnd() * N)) : normalise(Float32Array.from({ length: DESCRIPTOR_DIMS }, gauss));
      const a = index.nearest(v, other);
      const b = restored.nearest(v, other);
      if (a?.evidenceId === b?.evidenceId && a?.similarity === b?.similarity) same++;
    }
    console.log(`snapshot of ${saved.value.size.toLocaleString()} descriptors: ${mb(saved.value.bytes)} (graph ${mb(graphBytes)} + ids ${mb(saved.value.size * 32)})`);
    console.log(`  graph written to a local file (event loop blocked): ${graph.s.toFixed(1)} s wall, ${cpuS(graph.cpu)}`);
    console.log(`  save (graph file + checksum + multipart upload to s3rver): ${saved.s.toFixed(1)} s wall, ${cpuS(saved.cpu)}`);
    console.log(`  load (streamed download + checksum + graph load): ${loaded.s.toFixed(1)} s wall, ${cpuS(loaded.cpu)}; catch-up ${caught.s.toFixed(2)} s (${caught.value} rows); RSS +${mb(rss3 - rss2)}`);
    console.log(`  vs rebuild from Postgres: ${buildS.toFixed(1)} s wall, ${cpuS(buildCpu)} — load is ${(buildS / loaded.s).toFixed(0)}× faster (wall), ${((buildCpu.user + buildCpu.system) / Math.max(1, loaded.cpu.user + loaded.cpu.system)).toFixed(0)}× less CPU`);
    console.log(`  loaded index answers as the built one: ${same}/${checks} lookups identical`);
  } finally {
    storage.destroy();
    s3.stop();
    await rm(tmp, { recursive: true, force: true });
  }
} finally {
  await database.drop();
  await services.stop();
}
