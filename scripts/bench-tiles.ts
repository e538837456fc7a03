/**
 * Tiled-log benchmark (tlog/).
 *   npm run bench:tiles -- [--entries 1000000] [--proofs 10000] [--cold 1000] [--concurrency 32]
 * 1. Writes the tiles and entry bundles of --entries synthetic ledger entries (the canonical encoding of
 *    ledger/example-entry.ts with seq patched) to a private s3rver, and signs a checkpoint.
 * 2. Computes, without I/O, the tile fetches and bytes a cold client needs per inclusion proof at
 *    1M and 100M entries (mean/max over 2,000 random indexes), next to a plain RFC 6962 proof's size.
 * 3. Verifies --proofs random entries over HTTP with the browser code path (tlog/client.ts, crypto.subtle):
 *    one shared client (tile cache warm as it goes) and --cold fresh clients; reports proofs/s and p99.
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
import { fromBase64 } from '../tlog/hash.ts';
import { nodeHasher } from '../tlog/node-sha256.ts';
import { IMMUTABLE, SHORT_LIVED } from '../tlog/publisher.ts';
import { inclusionRanges, tilesForRanges } from '../tlog/tile-proofs.ts';
import { TILE_WIDTH, tilePath, TileWriter } from '../tlog/tiles.ts';
import type { TileData } from '../tlog/tiles.ts';
import { DEV_TLOG_SIGNING_KEY } from '../lib/config.ts';
import { startS3 } from './stack/s3.ts';

const { values } = parseArgs({ options: {
  entries: { type: 'string', default: '1000000' }, proofs: { type: 'string', default: '10000' },
  cold: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '32' },
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

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oh-bench-tiles-'));
  const s3 = await startS3({ dir });
  const storage = new Storage({ S3_ENDPOINT: s3.url, S3_REGION: 'us-east-1', S3_BUCKET: 'bench-tiles', S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_FORCE_PATH_STYLE: true });
  try {
    await storage.ensureBucket();
    // 1. write
    const t0 = performance.now();
    const writer = new TileWriter(nodeHasher(), 0);
    let objects = 0;
    let bytes = 0;
    const put = async (tiles: TileData[]) => {
      let next = 0;
      await Promise.all(Array.from({ length: CONC }, async () => {
        while (next < tiles.length) {
          const t = tiles[next++] as TileData;
          await storage.put(`log/${tilePath(t.tile)}`, t.data, 'application/octet-stream', t.tile.width === TILE_WIDTH ? IMMUTABLE : SHORT_LIVED);
          objects++;
          bytes += t.data.length;
        }
      }));
    };
    for (let from = 0; from < N; from += 65_536) {
      const batch = Array.from({ length: Math.min(65_536, N - from) }, (_, k) => entryAt(from + k));
      await put(await writer.push(batch));
    }
    const done = await writer.finish();
    await put(done.tiles);
    const signer = await createNoteSigner(ORIGIN, fromBase64(DEV_TLOG_SIGNING_KEY));
    await storage.put('log/checkpoint', await signCheckpoint({ origin: ORIGIN, size: N, root: done.root }, signer), 'text/plain; charset=utf-8', SHORT_LIVED);
    const writeS = (performance.now() - t0) / 1000;
    console.log(`write: ${N.toLocaleString()} entries → ${objects.toLocaleString()} objects, ${(bytes / 2 ** 20).toFixed(1)} MiB in ${writeS.toFixed(1)} s (${Math.round(N / writeS).toLocaleString()} entries/s, hashing + s3rver PUTs)`);

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
  } finally {
    storage.destroy();
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => { console.error(`bench:tiles: ${(err as Error).stack ?? String(err)}`); process.exit(1); });
