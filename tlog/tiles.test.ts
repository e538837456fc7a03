import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildLogTree, logRoot, verifyConsistency as refConsistency, verifyInclusion as refInclusion } from '../ledger/index.ts';
import { concat, TreeHasher } from './hash.ts';
import { nodeHasher, nodeSha256 } from './node-sha256.ts';
import {
  consistencyRanges, hashRanges, inclusionRanges, tilesForRanges, treeRoot, verifyConsistency, verifyInclusion,
} from './tile-proofs.ts';
import type { TileMap } from './tile-proofs.ts';
import { decodeBundle, encodeTileIndex, newTiles, parseTilePath, pow256, tilePath, tilesForSize, TileWriter } from './tiles.ts';
import type { TileData } from './tiles.ts';

// A second, naïve implementation: RFC 6962 §2.1 recursion straight from the text.
const sha = (...p: Uint8Array[]) => { const h = createHash('sha256'); for (const x of p) h.update(x); return new Uint8Array(h.digest()); };
const k2 = (n: number) => { let k = 1; while (k * 2 < n) k *= 2; return k; };
function mth(leaves: readonly Uint8Array[], a: number, b: number): Uint8Array {
  if (b - a === 0) return sha();
  if (b - a === 1) return leaves[a] as Uint8Array;
  const k = k2(b - a);
  return sha(Uint8Array.of(1), mth(leaves, a, a + k), mth(leaves, a + k, b));
}
function path(leaves: readonly Uint8Array[], m: number, a: number, b: number): Uint8Array[] {
  if (b - a <= 1) return [];
  const k = k2(b - a);
  return m < k ? [...path(leaves, m, a, a + k), mth(leaves, a + k, b)] : [...path(leaves, m - k, a + k, b), mth(leaves, a, a + k)];
}
function subproof(leaves: readonly Uint8Array[], m: number, a: number, b: number, whole: boolean): Uint8Array[] {
  if (m === b - a) return whole ? [] : [mth(leaves, a, b)];
  const k = k2(b - a);
  return m <= k ? [...subproof(leaves, m, a, a + k, whole), mth(leaves, a + k, b)] : [...subproof(leaves, m - k, a + k, b, false), mth(leaves, a, a + k)];
}

const entry = (i: number) => new TextEncoder().encode(`entry ${i}`);
const leafOf = (i: number) => sha(Uint8Array.of(0), entry(i));

/** Writes a log in two steps; `given` passes the leaf hashes in, otherwise the hasher computes them in bulk. */
async function writeTiles(hasher: TreeHasher, size: number, split: number, given: boolean): Promise<{ files: Map<string, Uint8Array>; root: Uint8Array; root1: Uint8Array }> {
  const files = new Map<string, Uint8Array>();
  const put = (ts: TileData[]) => { for (const t of ts) files.set(tilePath(t.tile), t.data); };
  const all = Array.from({ length: size }, (_, i) => i);
  const w1 = new TileWriter(hasher, 0);
  put(await w1.push(all.slice(0, split).map(entry), given ? concat(...all.slice(0, split).map(leafOf)) : undefined));
  const f1 = await w1.finish();
  put(f1.tiles);
  // second step starts from the published partials, as the publisher does
  const start = split - (split % 256);
  const w2 = new TileWriter(hasher, split, f1.partials, all.slice(start, split).map(entry));
  put(await w2.push(all.slice(split).map(entry), given ? concat(...all.slice(split).map(leafOf)) : undefined));
  const f2 = await w2.finish();
  put(f2.tiles);
  return { files, root: f2.root, root1: f1.root };
}

describe('tile paths', () => {
  it('encodes indexes and partial widths as the spec does', () => {
    assert.equal(encodeTileIndex(0), '000');
    assert.equal(encodeTileIndex(1234), 'x001/234');
    assert.equal(encodeTileIndex(1234067), 'x001/x234/067');
    assert.equal(tilePath({ level: 0, index: 1234, width: 256 }), 'tile/0/x001/234');
    assert.equal(tilePath({ level: 2, index: 5, width: 17 }), 'tile/2/005.p/17');
    assert.equal(tilePath({ level: 'entries', index: 1000, width: 3 }), 'tile/entries/x001/000.p/3');
    for (const p of ['tile/0/x001/234', 'tile/entries/x001/x234/067.p/255', 'tile/63/000']) assert.equal(tilePath(parseTilePath(p)), p);
    for (const p of ['tile/0/1234', 'tile/0/x000/001', 'tile/01/000', 'tile/0/000.p/256', 'tile/0/000.p/0']) assert.throws(() => parseTilePath(p));
  });

  it('lists the spec example: size 70,000 has 273 full + 1 partial (112) level-0, 1 full + 1 partial (17) level-1, 1 partial level-2 tiles', () => {
    const t = tilesForSize(70000);
    const at = (l: number) => t.filter((x) => x.level === l);
    assert.equal(at(0).filter((x) => x.width === 256).length, 273);
    assert.deepEqual(at(0).filter((x) => x.width < 256), [{ level: 0, index: 273, width: 112 }]);
    assert.deepEqual(at(1), [{ level: 1, index: 0, width: 256 }, { level: 1, index: 1, width: 17 }]);
    assert.deepEqual(at(2), [{ level: 2, index: 0, width: 1 }]);
    assert.deepEqual(tilesForSize(256), [{ level: 0, index: 0, width: 256 }, { level: 1, index: 0, width: 1 }]);
    assert.deepEqual(newTiles(256, 256), []);
  });
});

describe('tiles against a naïve RFC 6962 implementation', () => {
  const hasher = new TreeHasher(nodeSha256);
  for (const size of [1, 255, 256, 257, 65535, 65536, 65537]) it(`size ${size}, bulk Node hasher (worker pool), against the ledger's own tree`, async () => {
    const { files, root } = await writeTiles(nodeHasher(), size, Math.max(1, Math.floor(size / 3)), false);
    const tree = await buildLogTree(concat(...Array.from({ length: size }, (_, i) => leafOf(i))));
    assert.deepEqual(root, logRoot(tree));
    for (const t of tilesForSize(size)) {
      const data = files.get(tilePath(t));
      assert.ok(data, `missing ${tilePath(t)}`);
      if (t.level === 'entries') {
        assert.deepEqual(decodeBundle(data), Array.from({ length: t.width }, (_, i) => entry(t.index * 256 + i)));
        continue;
      }
      // H_l[j] is node (8l, j) of the tree: the perfect subtree over 256^l leaves
      const level = tree.levels[8 * t.level] as Uint8Array;
      assert.deepEqual(data, level.subarray(t.index * 256 * 32, (t.index * 256 + t.width) * 32), tilePath(t));
    }
  });
  for (const size of [1, 255, 256, 257, 65535, 65536, 65537]) {
    it(`size ${size}`, async () => {
      const leaves = Array.from({ length: size }, (_, i) => leafOf(i));
      const split = Math.max(1, Math.floor(size / 3));
      const { files, root, root1 } = await writeTiles(hasher, size, split, true);
      const naiveRoot = mth(leaves, 0, size);
      assert.deepEqual(root, naiveRoot);
      assert.deepEqual(root1, mth(leaves, 0, split));
      // every tile of the final size exists and holds H_l[j] = MTH of its 256^l leaves
      for (const t of tilesForSize(size)) {
        const data = files.get(tilePath(t));
        assert.ok(data, `missing ${tilePath(t)}`);
        if (t.level === 'entries') continue;
        const l = t.level;
        const want = concat(...Array.from({ length: t.width }, (_, i) => mth(leaves, (t.index * 256 + i) * pow256(l), (t.index * 256 + i + 1) * pow256(l))));
        assert.deepEqual(data, want, tilePath(t));
      }
      for (const t of newTiles(0, size, true)) {
        const got = decodeBundle(files.get(tilePath(t)) as Uint8Array);
        assert.deepEqual(got, Array.from({ length: t.width }, (_, i) => entry(t.index * 256 + i)));
      }
      const tiles: TileMap = files;
      assert.deepEqual(await treeRoot(hasher, tiles, size), naiveRoot);
      for (const i of new Set([0, size >> 1, size - 1, 255 % size, 256 % size])) {
        const ranges = inclusionRanges(i, size);
        const proof = await hashRanges(hasher, tiles, size, ranges);
        assert.deepEqual(proof, path(leaves, i, 0, size), `inclusion ${i}`);
        assert.ok(await verifyInclusion(hasher, leaves[i] as Uint8Array, i, size, proof, naiveRoot));
        assert.ok(refInclusion(leaves[i] as Uint8Array, i, size, proof, naiveRoot));
        for (const t of tilesForRanges(ranges, size)) assert.ok(files.has(tilePath(t)));
      }
      for (const m of new Set([1, split, 256, size - 1, size].filter((m) => m >= 1 && m <= size))) {
        const proof = await hashRanges(hasher, tiles, size, consistencyRanges(m, size));
        assert.deepEqual(proof, subproof(leaves, m, 0, size, true), `consistency ${m}`);
        const r1 = mth(leaves, 0, m);
        assert.ok(await verifyConsistency(hasher, m, size, proof, r1, naiveRoot));
        assert.ok(refConsistency(m, size, proof, r1, naiveRoot));
        if (m < size) assert.equal(await verifyConsistency(hasher, m, size, proof, naiveRoot, naiveRoot), false);
      }
    });
  }
});
