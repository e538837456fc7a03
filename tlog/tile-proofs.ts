/**
 * The reverse direction of tiles.ts: tree hashes, RFC 6962 inclusion and
 * consistency proofs computed from fetched tiles, and their RFC 9162
 * verification. A proof is a list of ranges [a, b) of the tree; each range
 * hash is a right fold of perfect aligned subtrees, and each perfect subtree
 * of 2^k leaves is the perfect root of 2^(k mod 8) consecutive hashes of one
 * tile at level ⌊k/8⌋. So callers first ask which tiles a computation needs,
 * fetch them in parallel, then compute. Browser-safe.
 */
import { equalBytes } from './hash.ts';
import type { TreeHasher } from './hash.ts';
import { HASH_SIZE, TILE_HEIGHT, TILE_WIDTH, pow256, tileFor, tilePath } from './tiles.ts';
import type { Tile } from './tiles.ts';

export type Range = readonly [number, number];

const largestPow2Below = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** RFC 6962 §2.1.1 PATH(index, D[0:size]) as ranges, leaf-most sibling first. */
export function inclusionRanges(index: number, size: number): Range[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) throw new Error(`index ${index} out of range for size ${size}`);
  const out: Range[] = [];
  const path = (m: number, a: number, b: number): void => {
    if (b - a <= 1) return;
    const k = largestPow2Below(b - a);
    if (m < k) {
      path(m, a, a + k);
      out.push([a + k, b]);
    } else {
      path(m - k, a + k, b);
      out.push([a, a + k]);
    }
  };
  path(index, 0, size);
  return out;
}

/** RFC 6962 §2.1.2 PROOF(m, D[0:n]) as ranges; 0 < m ≤ n. */
export function consistencyRanges(m: number, n: number): Range[] {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 1 || m > n) throw new Error(`consistency sizes out of range: ${m}, ${n}`);
  const out: Range[] = [];
  const sub = (m: number, a: number, b: number, whole: boolean): void => {
    if (m === b - a) {
      if (!whole) out.push([a, b]);
      return;
    }
    const k = largestPow2Below(b - a);
    if (m <= k) {
      sub(m, a, a + k, whole);
      out.push([a + k, b]);
    } else {
      sub(m - k, a + k, b, false);
      out.push([a, a + k]);
    }
  };
  sub(m, 0, n, true);
  return out;
}

/** Perfect aligned subtrees [start, 2^k) covering [a, b), left to right. */
export function perfectSubtrees(a: number, b: number): { start: number; k: number }[] {
  const out: { start: number; k: number }[] = [];
  let s = a;
  while (s < b) {
    let k = 0;
    while (s % 2 ** (k + 1) === 0 && s + 2 ** (k + 1) <= b) k++;
    out.push({ start: s, k });
    s += 2 ** k;
  }
  return out;
}

/** The tile (valid at `size`) holding the hashes of a perfect subtree, and their position in it. */
function subtreeLocation(start: number, k: number, size: number): { tile: Tile; offset: number; count: number } {
  const level = Math.floor(k / TILE_HEIGHT);
  const j = start / pow256(level);
  const count = 2 ** (k - level * TILE_HEIGHT);
  return { tile: tileFor(level, j + count - 1, size), offset: j % TILE_WIDTH, count };
}

/** Tiles (at tree size `size`) needed to hash every range, deduplicated. */
export function tilesForRanges(ranges: readonly Range[], size: number): Tile[] {
  const seen = new Map<string, Tile>();
  for (const [a, b] of ranges) {
    if (!(0 <= a && a < b && b <= size)) throw new Error(`range [${a}, ${b}) out of tree of size ${size}`);
    for (const { start, k } of perfectSubtrees(a, b)) {
      const { tile } = subtreeLocation(start, k, size);
      seen.set(tilePath(tile), tile);
    }
  }
  return [...seen.values()];
}

/** Fetched tiles by path; a tile must be exactly width × 32 bytes. */
export type TileMap = ReadonlyMap<string, Uint8Array>;
/** Cache of perfect-subtree hashes keyed by tile path and position (valid while tile contents are, i.e. per path). */
export type SubtreeMemo = Map<string, Promise<Uint8Array>>;

/** MTH(D[a:b]) from the tiles served at tree size `size` ≥ b (ranges as produced above: a aligned to the split). */
export async function rangeHash(hasher: TreeHasher, tiles: TileMap, size: number, a: number, b: number, memo?: SubtreeMemo): Promise<Uint8Array> {
  const subtrees = await Promise.all(perfectSubtrees(a, b).map(({ start, k }) => {
    const { tile, offset, count } = subtreeLocation(start, k, size);
    const key = `${tilePath(tile)}@${offset}+${count}`;
    const known = memo?.get(key);
    if (known) return known;
    const data = tiles.get(tilePath(tile));
    if (!data) throw new Error(`tile ${tilePath(tile)} was not fetched`);
    if (data.length !== tile.width * HASH_SIZE) throw new Error(`tile ${tilePath(tile)}: ${data.length} bytes, expected ${tile.width * HASH_SIZE}`);
    const h = hasher.perfectRoot(data.subarray(offset * HASH_SIZE, (offset + count) * HASH_SIZE));
    memo?.set(key, h);
    return h;
  }));
  let r = subtrees.pop() as Uint8Array;
  while (subtrees.length) r = await hasher.node(subtrees.pop() as Uint8Array, r);
  return r;
}

/** Hashes of `ranges` from the tiles served at tree size `size`. */
export async function hashRanges(hasher: TreeHasher, tiles: TileMap, size: number, ranges: readonly Range[], memo?: SubtreeMemo): Promise<Uint8Array[]> {
  return Promise.all(ranges.map(([a, b]) => rangeHash(hasher, tiles, size, a, b, memo)));
}

/** Tree head at `size` from the tiles served at `tilesAt` ≥ size (the empty tree's head when size is 0). */
export async function treeRoot(hasher: TreeHasher, tiles: TileMap, size: number, tilesAt = size): Promise<Uint8Array> {
  return size === 0 ? hasher.empty() : rangeHash(hasher, tiles, tilesAt, 0, size);
}

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/** RFC 9162 §2.1.3.2 inclusion verification. */
export async function verifyInclusion(hasher: TreeHasher, leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): Promise<boolean> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (leaf.length !== 32 || root.length !== 32 || !proof.every((p) => p.length === 32)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await hasher.node(p, r);
      while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn); }
    } else {
      r = await hasher.node(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(r, root);
}

/** RFC 9162 §2.1.4.2 consistency verification. */
export async function verifyConsistency(hasher: TreeHasher, size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): Promise<boolean> {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 1 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && equalBytes(root1, root2);
  if (root1.length !== 32 || root2.length !== 32 || !proof.every((p) => p.length === 32) || proof.length === 0) return false;
  const path = isPow2(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) { fn = half(fn); sn = half(sn); }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = await hasher.node(c, fr);
      sr = await hasher.node(c, sr);
      while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn); }
    } else {
      sr = await hasher.node(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalBytes(fr, root1) && equalBytes(sr, root2);
}

function isPow2(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}
