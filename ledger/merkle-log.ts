/**
 * RFC 6962 / RFC 9162 §2.1 Merkle log over SHA-256, any tree size.
 *   leaf hash  = SHA-256(0x00 ‖ entry)       node hash = SHA-256(0x01 ‖ left ‖ right)
 *   MTH({})    = SHA-256("")                 MTH(D[n]) = node(MTH(D[0:k]), MTH(D[k:n])), k = largest power of 2 < n
 *
 * Storage invariant (flat layers, 32 bytes per node): levels[h] holds
 * ceil(size / 2^h) nodes and node (h, j) = MTH(D[j·2^h, min((j+1)·2^h, size))).
 * A lone last node is carried up unchanged (that is exactly the RFC split).
 * The top level has one node, the root. Node (h, j) is also valid for an
 * earlier size m iff (j+1)·2^h ≤ m; other right-edge hashes of an earlier tree
 * are recomputed (O(log² n) hashes at most).
 */
import { asShared, sharedBytes } from './bytes.ts';
import { sha256 } from './hash.ts';
import { defaultHashPool } from './hash-pool.ts';
import type { HashPool } from './hash-pool.ts';
import { checkProofRange, writeLogProofs } from './proof-writers.ts';

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);
export const EMPTY_ROOT: Uint8Array = sha256();

export function leafHash(entry: Uint8Array): Uint8Array {
  return sha256(LEAF, entry);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE, left, right);
}

/** Encoded entries packed back to back: entry i is bytes[offsets[i], offsets[i+1]). Shared memory. */
export interface EntryBatch {
  bytes: Uint8Array;
  offsets: Uint32Array;
  count: number;
}

export function packEntries(encoded: readonly Uint8Array[]): EntryBatch {
  let total = 0;
  for (const e of encoded) total += e.length;
  if (total > 0xffffffff) throw new Error('packEntries: more than 4 GiB of entries');
  const bytes = sharedBytes(total);
  const offsets = new Uint32Array(new SharedArrayBuffer(4 * (encoded.length + 1)));
  let o = 0;
  encoded.forEach((e, i) => {
    bytes.set(e, o);
    o += e.length;
    offsets[i + 1] = o;
  });
  return { bytes, offsets, count: encoded.length };
}

/** Leaf hashes of every entry in the batch, concatenated (32 bytes each), computed in parallel. */
export async function hashLogLeaves(batch: EntryBatch, pool: HashPool = defaultHashPool()): Promise<Uint8Array> {
  const out = sharedBytes(batch.count * 32);
  const bytes = asShared(batch.bytes);
  const offsets = batch.offsets.buffer instanceof SharedArrayBuffer
    ? batch.offsets
    : new Uint32Array(asShared(new Uint8Array(batch.offsets.buffer, batch.offsets.byteOffset, batch.offsets.byteLength)).buffer);
  await pool.run({ kind: 'logLeaves', bytes, offsets, out }, batch.count);
  return out;
}

export class LogTree {
  /** Number of leaves. */
  readonly size: number;
  constructor(readonly levels: readonly Uint8Array[]) {
    this.size = (levels[0]?.length ?? 0) / 32;
  }

  /** Node (h, j) as a view into the level buffer (do not mutate). */
  node(h: number, j: number): Uint8Array {
    const level = this.levels[h];
    if (!level || (j + 1) * 32 > level.length) throw new Error(`LogTree: no node (${h}, ${j})`);
    return level.subarray(j * 32, j * 32 + 32);
  }

  /** MTH(D[a:b]) for b ≤ size, where a is a multiple of the smallest power of two ≥ b - a. */
  rangeHash(a: number, b: number): Uint8Array {
    const n = b - a;
    let h = 0;
    while (2 ** h < n) h++;
    if (b === Math.min(a + 2 ** h, this.size)) return this.node(h, a / 2 ** h);
    const k = 2 ** (h - 1);
    return nodeHash(this.rangeHash(a, a + k), this.rangeHash(a + k, b));
  }
}

/** Builds all levels from concatenated leaf hashes (32 bytes each), hashing each level in parallel. */
export async function buildLogTree(leafHashes: Uint8Array, pool: HashPool = defaultHashPool()): Promise<LogTree> {
  if (leafHashes.length % 32 !== 0) throw new Error('buildLogTree: leaf hashes must be 32 bytes each');
  if (leafHashes.length / 32 > 0x7fffffff) throw new Error('buildLogTree: at most 2^31-1 leaves');
  const levels = [asShared(leafHashes)];
  let src = levels[0] as Uint8Array;
  while (src.length > 32) {
    const len = src.length / 32;
    const pairs = Math.floor(len / 2);
    const dst = sharedBytes(Math.ceil(len / 2) * 32);
    await pool.run({ kind: 'logNodes', src, dst }, pairs);
    if (len % 2 === 1) dst.set(src.subarray((len - 1) * 32), pairs * 32); // lone node carried up
    levels.push(dst);
    src = dst;
  }
  return new LogTree(levels);
}

/** Builds the tree of leaf hashes of the given entries. */
export async function buildLogTreeFromEntries(batch: EntryBatch, pool: HashPool = defaultHashPool()): Promise<LogTree> {
  return buildLogTree(await hashLogLeaves(batch, pool), pool);
}

function checkSize(tree: LogTree, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > tree.size) {
    throw new Error(`size ${size} out of range [0, ${tree.size}]`);
  }
}

function largestPow2Below(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Tree head MTH(D[0:size]) (default: the whole tree). */
export function logRoot(tree: LogTree, size: number = tree.size): Uint8Array {
  checkSize(tree, size);
  return size === 0 ? EMPTY_ROOT : tree.rangeHash(0, size);
}

/** RFC 6962 §2.1.1 PATH(index, D[0:size]): audit path, leaf-most sibling first. */
export function proveInclusion(tree: LogTree, index: number, size: number = tree.size): Uint8Array[] {
  checkSize(tree, size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new Error(`index ${index} out of range for size ${size}`);
  const out: Uint8Array[] = [];
  const path = (m: number, a: number, b: number): void => {
    if (b - a <= 1) return;
    const k = largestPow2Below(b - a);
    if (m < k) {
      path(m, a, a + k);
      out.push(tree.rangeHash(a + k, b));
    } else {
      path(m - k, a + k, b);
      out.push(tree.rangeHash(a, a + k));
    }
  };
  path(index, 0, size);
  return out;
}

/** RFC 6962 §2.1.2 PROOF(size1, D[0:size2]); requires 0 < size1 ≤ size2 ≤ tree.size. */
export function proveConsistency(tree: LogTree, size1: number, size2: number = tree.size): Uint8Array[] {
  checkSize(tree, size2);
  if (!Number.isSafeInteger(size1) || size1 < 1 || size1 > size2) throw new Error(`size1 ${size1} out of range [1, ${size2}]`);
  const out: Uint8Array[] = [];
  const sub = (m: number, a: number, b: number, whole: boolean): void => {
    if (m === b - a) {
      if (!whole) out.push(tree.rangeHash(a, b));
      return;
    }
    const k = largestPow2Below(b - a);
    if (m <= k) {
      sub(m, a, a + k, whole);
      out.push(tree.rangeHash(a + k, b));
    } else {
      sub(m - k, a + k, b, false);
      out.push(tree.rangeHash(a, a + k));
    }
  };
  sub(size1, 0, size2, true);
  return out;
}

/** Maximum inclusion-proof length at the tree's full size (= number of levels - 1). */
export function proofDepth(tree: LogTree): number {
  return Math.max(0, tree.levels.length - 1);
}

/**
 * Bulk fast path at the full tree size, on the calling thread: writes the
 * inclusion proofs of leaves [from, to) into `out` (proof of leaf from+q at
 * byte q·depth·32, depth = proofDepth(tree)) and node counts into lengths[q].
 * No allocation per leaf. Equal to proveInclusion(tree, i) (tested).
 */
export function inclusionProofsInto(tree: LogTree, from: number, to: number, out: Uint8Array, lengths: Uint8Array): void {
  checkProofRange(tree.size, proofDepth(tree), from, to, out, lengths);
  writeLogProofs(tree.levels, from, 0, to - from, out, lengths);
}

/** As inclusionProofsInto, split across the pool's threads; out and lengths must be shared memory. */
export async function inclusionProofsParallel(
  tree: LogTree, from: number, to: number, out: Uint8Array, lengths: Uint8Array, pool: HashPool = defaultHashPool(),
): Promise<void> {
  checkProofRange(tree.size, proofDepth(tree), from, to, out, lengths);
  await pool.run({ kind: 'logProofs', levels: [...tree.levels], first: from, out, lengths }, to - from);
}

