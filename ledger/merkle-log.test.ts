import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, sharedBytes, toHex } from './bytes.ts';
import {
  EMPTY_ROOT, buildLogTree, buildLogTreeFromEntries, inclusionProofsInto, leafHash, logRoot, nodeHash, packEntries,
  proofDepth, proveConsistency, proveInclusion,
} from './merkle-log.ts';
import { verifyConsistency, verifyInclusion } from './log-verify.ts';
import { HashPool } from './hash-pool.ts';

interface Vectors {
  leaves: string[];
  roots: string[];
  inclusion: { leafIndex: number; treeSize: number; proof: string[] }[];
  consistency: { size1: number; size2: number; proof: string[] }[];
  inclusionProbes: { desc: string; leafIndex: number; treeSize: number; root: string; leafHash: string; proof: string[]; valid: boolean }[];
  consistencyProbes: { desc: string; size1: number; size2: number; root1: string; root2: string; proof: string[]; valid: boolean }[];
}
const V = JSON.parse(readFileSync(new URL('../test/fixtures/rfc6962-vectors.json', import.meta.url), 'utf8')) as Vectors;
const hx = (s: string) => fromHex(s);
const hexes = (a: readonly Uint8Array[]) => a.map(toHex);

function concatLeafHashes(leaves: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(leaves.length * 32);
  leaves.forEach((l, i) => out.set(leafHash(l), i * 32));
  return out;
}

/** Independent reference straight from RFC 6962 §2.1 (recursive, no layers). */
function refMth(d: readonly Uint8Array[]): Uint8Array {
  if (d.length === 0) return EMPTY_ROOT;
  if (d.length === 1) return d[0] as Uint8Array;
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return nodeHash(refMth(d.slice(0, k)), refMth(d.slice(k)));
}

describe('RFC 6962 log: published vectors (transparency-dev/merkle, Certificate Transparency)', async () => {
  const leaves = V.leaves.map(hx);
  const tree = await buildLogTree(concatLeafHashes(leaves));

  it('root hash at every size 0..8', () => {
    for (let n = 0; n <= 8; n++) assert.equal(toHex(logRoot(tree, n)), V.roots[n], `size ${n}`);
    assert.equal(toHex(EMPTY_ROOT), V.roots[0]);
  });

  it('inclusion proofs match and verify', () => {
    for (const v of V.inclusion) {
      const proof = proveInclusion(tree, v.leafIndex, v.treeSize);
      assert.deepEqual(hexes(proof), v.proof, `${v.leafIndex}@${v.treeSize}`);
      assert.ok(verifyInclusion(leafHash(leaves[v.leafIndex] as Uint8Array), v.leafIndex, v.treeSize, proof, hx(V.roots[v.treeSize] as string)));
    }
  });

  it('consistency proofs match and verify', () => {
    for (const v of V.consistency) {
      const proof = proveConsistency(tree, v.size1, v.size2);
      assert.deepEqual(hexes(proof), v.proof, `${v.size1}->${v.size2}`);
      assert.ok(verifyConsistency(v.size1, v.size2, proof, hx(V.roots[v.size1] as string), hx(V.roots[v.size2] as string)));
    }
  });

  it('inclusion probes (fuzz-style good and bad cases)', () => {
    assert.ok(V.inclusionProbes.length > 50);
    for (const p of V.inclusionProbes) {
      assert.equal(verifyInclusion(hx(p.leafHash), p.leafIndex, p.treeSize, p.proof.map(hx), hx(p.root)), p.valid, p.desc);
    }
  });

  it('consistency probes (fuzz-style good and bad cases)', () => {
    assert.ok(V.consistencyProbes.length > 50);
    for (const p of V.consistencyProbes) {
      assert.equal(verifyConsistency(p.size1, p.size2, p.proof.map(hx), hx(p.root1), hx(p.root2)), p.valid, p.desc);
    }
  });
});

describe('RFC 6962 log: every size, index and size pair up to 40 leaves', async () => {
  const N = 40;
  const leaves = Array.from({ length: N }, (_, i) => Uint8Array.of(i, i * 7, 3));
  const lh = leaves.map(leafHash);
  const tree = await buildLogTree(concatLeafHashes(leaves));

  it('roots equal the recursive RFC definition', () => {
    for (let n = 0; n <= N; n++) assert.deepEqual(logRoot(tree, n), refMth(lh.slice(0, n)), `size ${n}`);
  });

  it('every inclusion proof verifies, and fails for a neighbour index or a wrong root', () => {
    for (let n = 1; n <= N; n++) {
      const root = logRoot(tree, n);
      for (let i = 0; i < n; i++) {
        const proof = proveInclusion(tree, i, n);
        assert.ok(verifyInclusion(lh[i] as Uint8Array, i, n, proof, root), `${i}@${n}`);
        if (n > 1) assert.ok(!verifyInclusion(lh[i] as Uint8Array, (i + 1) % n, n, proof, root));
        assert.ok(!verifyInclusion(lh[i] as Uint8Array, i, n, proof, logRoot(tree, n - 1)));
      }
    }
  });

  it('every consistency proof verifies, and fails against the wrong old root', () => {
    for (let n = 1; n <= N; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = proveConsistency(tree, m, n);
        assert.ok(verifyConsistency(m, n, proof, logRoot(tree, m), logRoot(tree, n)), `${m}->${n}`);
        if (m > 1) assert.ok(!verifyConsistency(m, n, proof, logRoot(tree, m - 1), logRoot(tree, n)));
      }
    }
  });

  it('bulk inclusionProofsInto equals proveInclusion for every leaf', () => {
    const depth = proofDepth(tree);
    const out = new Uint8Array(N * depth * 32);
    const lengths = new Uint8Array(N);
    inclusionProofsInto(tree, 0, N, out, lengths);
    for (let i = 0; i < N; i++) {
      const want = proveInclusion(tree, i);
      assert.equal(lengths[i], want.length);
      want.forEach((h, k) => assert.deepEqual(out.subarray((i * depth + k) * 32, (i * depth + k + 1) * 32), h));
    }
  });

  it('rejects out-of-range requests', () => {
    assert.throws(() => proveInclusion(tree, N, N), /out of range/);
    assert.throws(() => proveConsistency(tree, 0, 5), /out of range/);
    assert.throws(() => logRoot(tree, N + 1), /out of range/);
  });
});

describe('RFC 6962 log: property tests and worker threads', () => {
  it('bulk proofs equal single proofs for random sizes (fast-check)', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 300 }), fc.nat(), async (n, seed) => {
      const hashes = new Uint8Array(n * 32);
      for (let i = 0; i < hashes.length; i++) hashes[i] = (i * 31 + seed) & 255;
      const tree = await buildLogTree(hashes);
      const depth = proofDepth(tree);
      const out = new Uint8Array(n * depth * 32);
      const lengths = new Uint8Array(n);
      inclusionProofsInto(tree, 0, n, out, lengths);
      const root = logRoot(tree);
      for (let i = 0; i < n; i += Math.max(1, n >> 4)) {
        const proof = Array.from({ length: lengths[i] as number }, (_, k) => out.slice((i * depth + k) * 32, (i * depth + k + 1) * 32));
        assert.deepEqual(hexes(proof), hexes(proveInclusion(tree, i)));
        assert.ok(verifyInclusion(hashes.subarray(i * 32, i * 32 + 32), i, n, proof, root));
      }
    }), { numRuns: 40 });
  });

  it('a 2-thread pool (worker file loaded through tsx) gives the same tree as inline hashing', async () => {
    const n = 20_000; // above the inline threshold, so the worker really runs
    const entries = Array.from({ length: n }, (_, i) => Uint8Array.of(i & 255, (i >> 8) & 255, i % 7));
    const pool = new HashPool(2);
    const inline = new HashPool(1);
    try {
      const a = await buildLogTreeFromEntries(packEntries(entries), pool);
      const b = await buildLogTreeFromEntries(packEntries(entries), inline);
      assert.deepEqual(logRoot(a), logRoot(b));
      assert.deepEqual(a.levels[0]?.subarray(n * 32 - 32), leafHash(entries[n - 1] as Uint8Array));
      const shared = sharedBytes(32);
      assert.ok(shared.buffer instanceof SharedArrayBuffer);
    } finally {
      await pool.close();
      await inline.close();
    }
  });
});
