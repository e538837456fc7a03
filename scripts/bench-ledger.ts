/**
 * Ledger epoch benchmark: ours (ledger/) vs @openzeppelin/merkle-tree vs merkletreejs.
 *   tsx scripts/bench-ledger.ts [--sizes 100000,1000000] [--quick] [--sample 20000]
 * Each (library, size) runs in its own child process so peak RSS (resourceUsage().maxRSS)
 * is per library. Synthetic data generation is excluded from timings and identical across
 * libraries (same seed): n entries, n distinct players, claim amount = entry Heart.
 * Ours, timed: buildEpoch (log leaf hashes + log tree + claim leaves + sort + claim tree)
 * plus every log inclusion proof and every claim proof (streamed into reused 64k-leaf blocks).
 * OZ/merkletreejs, timed: tree build + getProof for all leaves (extrapolated from a
 * sample of leaves above --sample, and reported as such).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { MerkleTree } from 'merkletreejs';
import { keccak256 } from 'viem';
import { toHex, writeUint, sharedBytes } from '../ledger/bytes.ts';
import { ENTRY_OFFSETS, encodeEntry } from '../ledger/entry.ts';
import { EXAMPLE_ENTRY } from '../ledger/example-entry.ts';
import { buildEpoch } from '../ledger/epoch.ts';
import { claimProofDepth } from '../ledger/claim-tree.ts';
import { proofDepth } from '../ledger/merkle-log.ts';
import type { EntryBatch } from '../ledger/merkle-log.ts';
import type { ClaimInput } from '../ledger/claim-tree.ts';
import { closeDefaultHashPool, defaultHashPool } from '../ledger/hash-pool.ts';

interface Result {
  lib: string; n: number; seconds: number; hashes: number; maxRssMiB: number; sampledRssMiB: number;
  root: string; note: string; genSeconds: number;
}

const BLOCK = 65_536;

/** Deterministic player address / Heart for entry i. */
function playerOf(i: number, out: Uint8Array, at: number): void {
  let x = (i + 1) * 2654435761;
  for (let k = 0; k < 20; k++) {
    x = (Math.imul(x ^ (x >>> 15), 2246822519) + k) >>> 0;
    out[at + k] = x & 255;
  }
}
const heartOf = (i: number): bigint => BigInt(i % 1000 + 1) * 10n ** 15n + BigInt(i);

function syntheticEntries(n: number): { batch: EntryBatch; claims: ClaimInput } {
  const template = encodeEntry(EXAMPLE_ENTRY);
  const size = template.length;
  const bytes = sharedBytes(n * size);
  const offsets = new Uint32Array(new SharedArrayBuffer(4 * (n + 1)));
  const addresses = sharedBytes(n * 20);
  const amounts = sharedBytes(n * 32);
  for (let i = 0; i < n; i++) {
    const o = i * size;
    bytes.set(template, o);
    writeUint(bytes, o + ENTRY_OFFSETS.seq, 8, BigInt(i), 'seq'); // prev_hash left as in the template: chaining is not benchmarked
    playerOf(i, bytes, o + ENTRY_OFFSETS.player);
    writeUint(bytes, o + ENTRY_OFFSETS.heart, 32, heartOf(i), 'heart');
    addresses.set(bytes.subarray(o + ENTRY_OFFSETS.player, o + ENTRY_OFFSETS.player + 20), i * 20);
    amounts.set(bytes.subarray(o + ENTRY_OFFSETS.heart, o + ENTRY_OFFSETS.heart + 32), i * 32);
    offsets[i + 1] = o + size;
  }
  return { batch: { bytes, offsets, count: n }, claims: { addresses, amounts, count: n } };
}

function claimRows(n: number): [string, string][] {
  const a = new Uint8Array(20);
  return Array.from({ length: n }, (_, i) => {
    playerOf(i, a, 0);
    return [toHex(a), heartOf(i).toString()];
  });
}

function rssSampler(): () => number {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  return () => { clearInterval(t); return Math.max(peak, process.memoryUsage().rss) / 2 ** 20; };
}

async function runOurs(n: number): Promise<Result> {
  let t0 = performance.now();
  const { batch, claims } = syntheticEntries(n);
  const genSeconds = (performance.now() - t0) / 1000;
  const pool = defaultHashPool();
  await buildEpoch(syntheticEntries(64).batch, syntheticEntries(64).claims, undefined, pool); // load wasm + workers (not timed)
  const stopRss = rssSampler();
  t0 = performance.now();
  const epoch = await buildEpoch(batch, claims, undefined, pool);
  const logDepth = proofDepth(epoch.logTree);
  const claimDepth = claimProofDepth(epoch.claimTree);
  const out = sharedBytes(BLOCK * Math.max(logDepth, claimDepth) * 32);
  const words = new Uint32Array(out.buffer);
  const lengths = sharedBytes(BLOCK);
  let check = 0;
  let nodes = 0;
  for (const [write, depth] of [[epoch.writeInclusionProofs, logDepth], [epoch.writeClaimProofs, claimDepth]] as const) {
    for (let from = 0; from < n; from += BLOCK) {
      const to = Math.min(n, from + BLOCK);
      await write(from, to, out, lengths);
      for (let q = 0; q < to - from; q++) { nodes += lengths[q] as number; check ^= words[q * depth * 8] as number; }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const sampled = stopRss();
  await closeDefaultHashPool();
  return {
    lib: 'ours', n, seconds, hashes: 5 * n - 2, maxRssMiB: process.resourceUsage().maxRSS / 1024, sampledRssMiB: sampled,
    root: toHex(epoch.claimsRoot), genSeconds,
    note: `log+claims, ${n} log proofs + ${n} claim proofs (${nodes} nodes, check ${check >>> 0}), log root ${toHex(epoch.logRoot).slice(0, 10)}…`,
  };
}

function runOz(n: number, sample: number): Result {
  let t0 = performance.now();
  const rows = claimRows(n);
  const genSeconds = (performance.now() - t0) / 1000;
  const stopRss = rssSampler();
  t0 = performance.now();
  const tree = StandardMerkleTree.of(rows, ['address', 'uint256']);
  const build = (performance.now() - t0) / 1000;
  const k = Math.min(n, sample);
  t0 = performance.now();
  for (let i = 0; i < k; i++) tree.getProof(Math.floor((i * n) / k));
  const proofs = ((performance.now() - t0) / 1000) * (n / k);
  return {
    lib: 'openzeppelin', n, seconds: build + proofs, hashes: 3 * n - 1, maxRssMiB: process.resourceUsage().maxRSS / 1024,
    sampledRssMiB: stopRss(), root: tree.root, genSeconds,
    note: `build ${build.toFixed(2)} s measured; getProof ×${n} ${k < n ? `extrapolated from ${k}` : 'measured'}: ${proofs.toFixed(2)} s`,
  };
}

function runMerkletreejs(n: number, sample: number): Result {
  let t0 = performance.now();
  const rows = claimRows(n);
  const genSeconds = (performance.now() - t0) / 1000;
  const stopRss = rssSampler();
  const kec = (d: Buffer): Buffer => Buffer.from(keccak256(d, 'bytes'));
  t0 = performance.now();
  const abi = Buffer.alloc(64);
  const leaves = rows.map(([a, v]) => {
    abi.fill(0);
    Buffer.from(a.slice(2), 'hex').copy(abi, 12);
    Buffer.from(BigInt(v).toString(16).padStart(64, '0'), 'hex').copy(abi, 32);
    return kec(kec(abi));
  });
  const tree = new MerkleTree(leaves, kec, { sortPairs: true, sortLeaves: true });
  const build = (performance.now() - t0) / 1000;
  const sorted = tree.getLeaves();
  const k = Math.min(n, sample);
  t0 = performance.now();
  for (let i = 0; i < k; i++) { const j = Math.floor((i * n) / k); tree.getHexProof(sorted[j] as Buffer, j); }
  const proofs = ((performance.now() - t0) / 1000) * (n / k);
  return {
    lib: 'merkletreejs', n, seconds: build + proofs, hashes: 3 * n - 1, maxRssMiB: process.resourceUsage().maxRSS / 1024,
    sampledRssMiB: stopRss(), root: tree.getHexRoot(), genSeconds,
    note: `build ${build.toFixed(2)} s measured; getHexProof ×${n} ${k < n ? `extrapolated from ${k}` : 'measured'}: ${proofs.toFixed(2)} s (layout differs from OZ: root not comparable)`,
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function child(): Promise<void> {
  const lib = arg('--child') as string;
  const n = Number(arg('--n'));
  const sample = Number(arg('--sample') ?? 20000);
  const r = lib === 'ours' ? await runOurs(n) : lib === 'openzeppelin' ? runOz(n, sample) : runMerkletreejs(n, sample);
  process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
}

function parent(): void {
  const quick = process.argv.includes('--quick');
  const sizes = (arg('--sizes') ?? (quick ? '10000,100000' : '100000,1000000')).split(',').map(Number);
  const sample = arg('--sample') ?? (quick ? '5000' : '20000');
  const script = fileURLToPath(import.meta.url);
  const results: Result[] = [];
  for (const n of sizes) {
    for (const lib of ['ours', 'openzeppelin', 'merkletreejs']) {
      process.stderr.write(`running ${lib} n=${n} …\n`);
      const p = spawnSync(process.execPath, [...process.execArgv, '--max-old-space-size=8192', script, '--child', lib, '--n', String(n), '--sample', sample],
        { encoding: 'utf8', maxBuffer: 1 << 24 });
      const line = p.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) { process.stderr.write(`${lib} n=${n} failed:\n${p.stderr}\n`); continue; }
      const r = JSON.parse(line.slice(7)) as Result;
      results.push(r);
      process.stderr.write(`  ${r.seconds.toFixed(3)} s — ${r.note}\n`);
    }
  }
  console.log('\n| library | entries | wall s | hashes/s | peak RSS MiB (maxRSS / sampled) | speed-up vs ours | claims root = OZ |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  let ok = true;
  for (const r of results) {
    const ours = results.find((x) => x.lib === 'ours' && x.n === r.n);
    const oz = results.find((x) => x.lib === 'openzeppelin' && x.n === r.n);
    const same = r.lib === 'merkletreejs' ? 'n/a (other layout)' : oz && r.root === oz.root ? 'yes' : 'NO';
    if (same === 'NO') ok = false;
    const ratio = ours ? `${(r.seconds / ours.seconds).toFixed(1)}× slower` : '';
    console.log(`| ${r.lib} | ${r.n} | ${r.seconds.toFixed(3)} | ${(r.hashes / r.seconds / 1e6).toFixed(2)} M | ${r.maxRssMiB.toFixed(0)} / ${r.sampledRssMiB.toFixed(0)} | ${r.lib === 'ours' ? '1×' : ratio} | ${same} |`);
  }
  console.log('\nNotes: hashes/s counts tree hashes only (ours: 5n-2 = log leaves+nodes, claim leaves×2+nodes; libraries: 3n-1 claim-tree hashes),');
  console.log('wall time for libraries = build + all proofs (proof time extrapolated from a sample when marked). Data generation is excluded.');
  for (const r of results) console.log(`- ${r.lib} n=${r.n}: ${r.note}; data gen ${r.genSeconds.toFixed(2)} s`);
  if (!ok) { console.error('claims roots differ from OpenZeppelin'); process.exitCode = 1; }
}

if (process.argv.includes('--child')) await child(); else parent();
