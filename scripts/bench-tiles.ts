/**
 * Tiled-log benchmark (tlog/).
 *   npm run bench:tiles -- [--entries 1000000] [--proofs 10000] [--cold 1000] [--concurrency 32]
 * 1. Builds the epoch's log tree of --entries synthetic ledger entries (the canonical encoding of
 *    ledger/example-entry.ts with seq patched), derives the tiles and entry bundles from its leaf hashes
 *    (and, for comparison, from the entries alone as the sequencer does), uploads them to a private s3rver
 *    in its own process, and signs a checkpoint. Each step is timed on its own.
 * 2. Computes, without I/O, the tile fetches and bytes a cold client needs per inclusion proof at
 *    1M and 100M entries (mean/max over 2,000 random indexes), next to a plain RFC 6962 proof's size.
 * 3. Verifies --proofs random entries over HTTP with the browser code path (tlog/client.ts, crypto.subtle):
 *    one shared client (tile cache warm as it goes) and --cold fresh clients; reports proofs/s and p99.
 * 4. The API's proof bundles for comparison (skip with --no-api): --entries hash-chained entries seeded in
 *    Postgres (scripts/bench-api/seed.ts) on the embedded stack, then --proofs random
 *    GET /api/ledger/entries/:seq/proof at --concurrency; reports proofs/s, p50/p99 and the API's CPU µs per proof.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeUint } from '../ledger/bytes.ts';
import { encodeEntry } from '../ledger/entry.ts';
import { ENTRY_OFFSETS } from '../ledger/entry.ts';
import { EXAMPLE_ENTRY } from '../ledger/example-entry.ts';
import { Storage } from '../lib/storage.ts';
import { createNoteSigner, signCheckpoint } from '../tlog/checkpoint.ts';
import { LogClient } from '../tlog/client.ts';
import { equalBytes, fromBase64 } from '../tlog/hash.ts';
import { buildLogTreeFromEntries, closeDefaultHashPool, logRoot, packEntries } from '../ledger/index.ts';
import { nodeHasher } from '../tlog/node-sha256.ts';
import { IMMUTABLE, SHORT_LIVED } from '../tlog/publisher.ts';
import { inclusionRanges, tilesForRanges } from '../tlog/tile-proofs.ts';
import { TILE_WIDTH, tilePath, TileWriter } from '../tlog/tiles.ts';
import type { TileData } from '../tlog/tiles.ts';
import { DEV_TLOG_SIGNING_KEY } from '../lib/config.ts';
import autocannon from 'autocannon';
import { createSigner } from 'fast-jwt';
import { pidListeningOn, processCpuMicros } from './bench-api/process-cpu.ts';
import { seed as seedLedger } from './bench-api/seed.ts';
import { startBenchStack } from './bench-api/stack.ts';
import { startS3Process } from './stack/s3-process.ts';

const { values } = parseArgs({ options: {
  entries: { type: 'string', default: '1000000' }, proofs: { type: 'string', default: '10000' },
  cold: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '32' }, 'no-api': { type: 'boolean', default: false },
} });
const N = Number(values.entries);
const PROOFS = Number(values.proofs);
const COLD = Number(values.cold);
const CONC = Number(values.concurrency);
const ORIGIN = 'bench.oneheart.local/ledger';
const template = encodeEntry(EXAMPLE_ENTRY);
const entryAt = (i: number): Uint8Array => {
  const e = template.slice();
  writeUint(e, ENTRY_OFFSETS.seq, 8, BigInt(i), 'seq');
  return e;
};

let seed = 42;
const rand = (n: number): number => {
  seed = (Math.imul(seed ^ (seed >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
  return seed % n;
};

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

/** Cold-client cost of an inclusion proof at size n: tile fetches and bytes (entry bundle included). */
function proofCost(n: number): { fetchesMean: number; fetchesMax: number; kibMean: number; kibMax: number; rfcBytes: number } {
  const f: number[] = [];
  const b: number[] = [];
  for (let k = 0; k < 2000; k++) {
    const i = rand(n);
    const tiles = tilesForRanges(inclusionRanges(i, n), n);
    const bundleW = (Math.floor(i / TILE_WIDTH) + 1) * TILE_WIDTH <= n ? TILE_WIDTH : n % TILE_WIDTH;
    f.push(tiles.length + 1);
    b.push(tiles.reduce((s, t) => s + t.width * 32, 0) + bundleW * (template.length + 2));
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return { fetchesMean: mean(f), fetchesMax: Math.max(...f), kibMean: mean(b) / 1024, kibMax: Math.max(...b) / 1024, rfcBytes: inclusionRanges(n - 1, n).length * 32 };
}

const seconds = (t0: number): number => (performance.now() - t0) / 1000;

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oh-bench-tiles-'));
  const s3 = await startS3Process(dir);
  const storage = new Storage({ S3_ENDPOINT: s3.url, S3_REGION: 'us-east-1', S3_BUCKET: 'bench-tiles', S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_FORCE_PATH_STYLE: true });
  try {
    await storage.ensureBucket();
    const entries = Array.from({ length: N }, (_, i) => entryAt(i));
    const BATCH = 65_536;

    // 1a. the ledger's epoch build (log half): leaf hashes and tree on the worker pool
    let t0 = performance.now();
    const tree = await buildLogTreeFromEntries(packEntries(entries));
    const treeS = seconds(t0);
    // 1b. tiles and entry bundles from the epoch build's leaf hashes (what epoch close does)
    t0 = performance.now();
    const tiles: TileData[] = [];
    const writer = new TileWriter(nodeHasher(), 0);
    for (let from = 0; from < N; from += BATCH) {
      const to = Math.min(N, from + BATCH);
      tiles.push(...await writer.push(entries.slice(from, to), (tree.levels[0] as Uint8Array).subarray(from * 32, to * 32)));
    }
    const done = await writer.finish();
    tiles.push(...done.tiles);
    const tilesS = seconds(t0);
    if (!equalBytes(done.root, logRoot(tree))) throw new Error('tile root differs from the epoch build root');
    // 1c. the same from entries alone (the sequencer between epochs: it hashes the leaves too)
    t0 = performance.now();
    const alone = new TileWriter(nodeHasher(), 0);
    for (let from = 0; from < N; from += BATCH) await alone.push(entries.slice(from, Math.min(N, from + BATCH)));
    const aloneRoot = (await alone.finish()).root;
    const aloneS = seconds(t0);
    if (!equalBytes(aloneRoot, done.root)) throw new Error('sequencer path root differs');
    // 1d. upload
    t0 = performance.now();
    let next = 0;
    let bytes = 0;
    await Promise.all(Array.from({ length: CONC }, async () => {
      while (next < tiles.length) {
        const t = tiles[next++] as TileData;
        await storage.put(`log/${tilePath(t.tile)}`, t.data, 'application/octet-stream', t.tile.width === TILE_WIDTH ? IMMUTABLE : SHORT_LIVED);
        bytes += t.data.length;
      }
    }));
    const signer = await createNoteSigner(ORIGIN, fromBase64(DEV_TLOG_SIGNING_KEY));
    await storage.put('log/checkpoint', await signCheckpoint({ origin: ORIGIN, size: N, root: done.root }, signer), 'text/plain; charset=utf-8', SHORT_LIVED);
    const uploadS = seconds(t0);
    const rate = (s: number) => `${Math.round(N / s).toLocaleString()} entries/s`;
    console.log(`write ${N.toLocaleString()} entries → ${tiles.length.toLocaleString()} objects, ${(bytes / 2 ** 20).toFixed(1)} MiB:`);
    console.log(`  epoch build, log tree (ledger/, worker pool)      ${treeS.toFixed(2)} s`);
    console.log(`  tiles + bundles from the epoch's leaf hashes       ${tilesS.toFixed(2)} s  (${rate(tilesS)})  target ≤ 5 s`);
    console.log(`  tiles + bundles from entries alone (sequencer)     ${aloneS.toFixed(2)} s  (${rate(aloneS)})`);
    console.log(`  upload to s3rver (own process), concurrency ${CONC}     ${uploadS.toFixed(2)} s  (${Math.round(tiles.length / uploadS).toLocaleString()} PUT/s)`);
    console.log(`  total: build + tiles + upload                      ${(treeS + tilesS + uploadS).toFixed(2)} s`);

    // 2. analytic proof cost
    for (const n of [1_000_000, 100_000_000]) {
      const c = proofCost(n);
      console.log(`proof cost at ${n.toLocaleString()}: ${c.fetchesMean.toFixed(2)} fetches (max ${c.fetchesMax}), ${c.kibMean.toFixed(1)} KiB (max ${c.kibMax.toFixed(1)}) incl. the ${(TILE_WIDTH * (template.length + 2) / 1024).toFixed(1)} KiB entry bundle; plain RFC 6962 proof ${c.rfcBytes} B`);
    }

    // 3. HTTP verification with the browser code path
    const baseUrl = `${s3.url}/bench-tiles/log`;
    const run = async (count: number, fresh: boolean, label: string) => {
      const lat: number[] = [];
      const shared = fresh ? null : await LogClient.create({ baseUrl, vkey: signer.vkey });
      const sharedCp = shared ? await shared.checkpoint() : null;
      const f0 = shared?.fetches ?? 0;
      const b0 = shared?.bytesFetched ?? 0;
      let fetches = 0;
      let fetched = 0;
      let next = 0;
      const start = performance.now();
      await Promise.all(Array.from({ length: CONC }, async () => {
        while (next++ < count) {
          const t = performance.now();
          const c = shared ?? await LogClient.create({ baseUrl, vkey: signer.vkey });
          await c.verifyEntry(rand(N), { checkpoint: sharedCp ?? await c.checkpoint() });
          lat.push(performance.now() - t);
          if (!shared) { fetches += c.fetches; fetched += c.bytesFetched; }
        }
      }));
      const s = (performance.now() - start) / 1000;
      if (shared) { fetches = shared.fetches - f0; fetched = shared.bytesFetched - b0; }
      console.log(`${label}: ${count.toLocaleString()} proofs in ${s.toFixed(1)} s = ${Math.round(count / s).toLocaleString()} proofs/s; latency p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms; ${(fetches / count).toFixed(2)} HTTP fetches, ${(fetched / count / 1024).toFixed(1)} KiB per proof${fresh ? ' (checkpoint included)' : ''}`);
    };
    await run(PROOFS, false, `HTTP, one client (tile cache), concurrency ${CONC}`);
    await run(COLD, true, `HTTP, fresh client per proof, concurrency ${CONC}`);
    if (!values['no-api']) await apiProofs();
  } finally {
    storage.destroy();
    s3.stop();
    await closeDefaultHashPool();
    await rm(dir, { recursive: true, force: true });
  }
}

/** 4. The same number of proofs as API proof bundles (GET /api/ledger/entries/:seq/proof) over a seeded ledger of N entries. */
async function apiProofs(): Promise<void> {
  const stack = await startBenchStack('bench-tiles');
  try {
    let t0 = performance.now();
    const world = await seedLedger(stack.sql, stack.redis, stack.config.REDIS_PREFIX, { players: 1_000, entries: N, log: () => undefined });
    // signed in as seeded players in turn, so per-player rate limits apply as in production (anonymous callers get 10/min per IP)
    const sign = createSigner({ key: stack.config.JWT_SECRET, algorithm: 'HS256', expiresIn: 3_600_000 });
    const tokens = world.players.map((p) => `Bearer ${sign({ sub: p.id, role: 'player', address: p.address })}`);
    let n = 0;
    const seedS = seconds(t0);
    await stack.startApi();
    t0 = performance.now();
    for (let attempt = 1; ; attempt++) { // the first proof builds the epoch's log tree (a build past 30 s drops that request; a retry finds it)
      const r = await fetch(`${stack.url}/api/ledger/entries/0/proof`, { headers: { authorization: tokens[0]! } }).catch((err: unknown) => err as Error);
      if (!(r instanceof Error) && r.status === 200) break;
      if (attempt === 10) throw new Error(`API proof warm-up failed: ${r instanceof Error ? r.message : r.status}`);
    }
    const coldS = seconds(t0);
    const pid = await pidListeningOn(stack.port);
    const cpu0 = await processCpuMicros(pid);
    const r = await autocannon({
      url: stack.url, connections: CONC, amount: PROOFS, timeout: 30,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/ledger/entries/${rand(N)}/proof`, headers: { authorization: tokens[n++ % tokens.length]! } }) }],
    });
    const cpuUs = (await processCpuMicros(pid) - cpu0) / Math.max(1, r['2xx'] + r.non2xx);
    console.log(`API proof bundles: ${N.toLocaleString()} entries seeded in ${seedS.toFixed(1)} s; first proof (log tree build) ${coldS.toFixed(1)} s`);
    console.log(`API, GET /api/ledger/entries/:seq/proof, concurrency ${CONC}: ${(r['2xx'] + r.non2xx).toLocaleString()} proofs in ${r.duration.toFixed(1)} s = ${Math.round(r['2xx'] / r.duration).toLocaleString()} proofs/s; latency p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms; non-2xx ${r.non2xx}, errors ${r.errors}; API CPU ${cpuUs.toFixed(0)} µs per proof`);
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => { console.error(`bench:tiles: ${(err as Error).stack ?? String(err)}`); process.exit(1); });
