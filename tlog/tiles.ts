/**
 * C2SP tlog-tiles layout (https://c2sp.org/tlog-tiles): hash tiles of height 8
 * at `tile/<L>/<N>[.p/<W>]` and entry bundles at `tile/entries/<N>[.p/<W>]`.
 *
 * H_l[j] = MTH(D[j·256^l, (j+1)·256^l)) for every j with (j+1)·256^l ≤ size;
 * tile (l, N) holds H_l[256N, 256N + W) and is full when W = 256. Level l+1
 * hashes are the perfect roots of full level-l tiles. Browser-safe, pure.
 */
import { concat } from './hash.ts';
import type { TreeHasher } from './hash.ts';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
export const HASH_SIZE = 32;

/** A hash tile (level ≥ 0) or, with level 'entries', an entry bundle. */
export interface Tile {
  level: number | 'entries';
  index: number;
  /** 1..256; 256 = full. */
  width: number;
}

/** 256^l as a safe integer. */
export const pow256 = (l: number): number => 2 ** (TILE_HEIGHT * l);

/** `<N>` path elements: zero-padded 3-digit groups, all but the last prefixed with `x` (1234067 → x001/x234/067). */
export function encodeTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`tile index ${n} is not a non-negative integer`);
  let s = String(n % 1000).padStart(3, '0');
  for (let rest = Math.floor(n / 1000); rest > 0; rest = Math.floor(rest / 1000)) s = `x${String(rest % 1000).padStart(3, '0')}/${s}`;
  return s;
}

/** Path of a tile relative to the log prefix, e.g. `tile/0/x001/234.p/7`. */
export function tilePath(t: Tile): string {
  if (t.width < 1 || t.width > TILE_WIDTH || !Number.isInteger(t.width)) throw new Error(`tile width ${t.width} out of range 1..256`);
  if (t.level !== 'entries' && (!Number.isInteger(t.level) || t.level < 0 || t.level > 63)) throw new Error(`tile level ${t.level} out of range`);
  return `tile/${t.level}/${encodeTileIndex(t.index)}${t.width < TILE_WIDTH ? `.p/${t.width}` : ''}`;
}

/** Inverse of tilePath (throws on anything not produced by it). */
export function parseTilePath(path: string): Tile {
  const m = /^tile\/(entries|0|[1-9]\d?)\/((?:x\d{3}\/)*)(\d{3})(?:\.p\/([1-9]\d{0,2}))?$/.exec(path);
  if (!m) throw new Error(`not a tile path: ${path}`);
  const groups = [...(m[2] ?? '').split('/').filter(Boolean).map((g) => g.slice(1)), m[3] as string];
  const index = groups.reduce((acc, g) => acc * 1000 + Number(g), 0);
  const width = m[4] === undefined ? TILE_WIDTH : Number(m[4]);
  if (width > 255 && m[4] !== undefined) throw new Error(`partial width ${width} out of range: ${path}`);
  const t: Tile = { level: m[1] === 'entries' ? 'entries' : Number(m[1]), index, width };
  if (tilePath(t) !== path) throw new Error(`non-canonical tile path: ${path}`);
  return t;
}

/** The tile of `level` holding H_level[j] in a tree of `size` (full, or the partial tile at that size). */
export function tileFor(level: number, j: number, size: number): Tile {
  const index = Math.floor(j / TILE_WIDTH);
  if ((j + 1) * pow256(level) > size) throw new Error(`H_${level}[${j}] does not exist at size ${size}`);
  const full = (index + 1) * pow256(level + 1) <= size;
  return { level, index, width: full ? TILE_WIDTH : Math.floor(size / pow256(level)) % TILE_WIDTH };
}

/** Number of levels with at least one hash at `size` (0 for the empty tree). */
export function levelCount(size: number): number {
  let l = 0;
  while (size >= pow256(l)) l++;
  return l;
}

/**
 * Tiles present at `newSize` but not at `oldSize` (all tiles when oldSize is 0):
 * newly full tiles and changed partial tiles, level by level, lowest index first.
 * Entry bundles mirror level 0 (pass `entries` to get them instead).
 */
export function newTiles(oldSize: number, newSize: number, entries = false): Tile[] {
  if (!(0 <= oldSize && oldSize <= newSize)) throw new Error(`sizes out of order: ${oldSize} > ${newSize}`);
  const out: Tile[] = [];
  for (let l = 0; l < (entries ? Math.min(1, levelCount(newSize)) : levelCount(newSize)); l++) {
    const oldCount = Math.floor(oldSize / pow256(l));
    const newCount = Math.floor(newSize / pow256(l));
    if (newCount === oldCount) break; // nothing changes at this level or above
    const level = entries ? 'entries' : l;
    for (let n = Math.floor(oldCount / TILE_WIDTH); n < Math.floor(newCount / TILE_WIDTH); n++) out.push({ level, index: n, width: TILE_WIDTH });
    if (newCount % TILE_WIDTH) out.push({ level, index: Math.floor(newCount / TILE_WIDTH), width: newCount % TILE_WIDTH });
  }
  return out;
}

/** Every tile of a tree of `size` (full and partial), level by level. */
export const tilesForSize = (size: number): Tile[] => newTiles(0, size);

/** Entry bundle: each entry as a big-endian uint16 length followed by its bytes. */
export function encodeBundle(entries: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const e of entries) {
    if (e.length > 0xffff) throw new Error(`entry of ${e.length} bytes does not fit a uint16 length prefix`);
    total += 2 + e.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const e of entries) {
    out[o] = e.length >> 8;
    out[o + 1] = e.length & 0xff;
    out.set(e, o + 2);
    o += 2 + e.length;
  }
  return out;
}

export function decodeBundle(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < bytes.length) {
    if (o + 2 > bytes.length) throw new Error('entry bundle: truncated length prefix');
    const n = ((bytes[o] as number) << 8) | (bytes[o + 1] as number);
    if (o + 2 + n > bytes.length) throw new Error('entry bundle: truncated entry');
    out.push(bytes.subarray(o + 2, o + 2 + n));
    o += 2 + n;
  }
  return out;
}

export interface TileData { tile: Tile; data: Uint8Array }

/**
 * Streams a log from `startSize` to a larger size and emits the tiles and
 * entry bundles that change. Seed it with the partial tiles of `startSize`
 * (`partials[l]` = H_l of the partial level-l tile, possibly empty, and the
 * entries of the partial bundle); push entries in order; finish() emits the
 * partial tiles of the final size and returns its root.
 */
export class TileWriter {
  private readonly pending: Uint8Array[][];
  private readonly first: number[];
  private bundle: Uint8Array[];
  private bundleIndex: number;
  private size: number;

  constructor(private readonly hasher: TreeHasher, readonly startSize: number, partials: readonly Uint8Array[] = [], partialEntries: readonly Uint8Array[] = []) {
    this.size = startSize;
    const levels = Math.max(levelCount(startSize), 1) + 1;
    this.pending = [];
    this.first = [];
    for (let l = 0; l < levels; l++) {
      const count = Math.floor(startSize / pow256(l));
      const p = partials[l] ?? new Uint8Array(0);
      if (p.length !== (count % TILE_WIDTH) * HASH_SIZE) throw new Error(`partial tile at level ${l}: ${p.length / 32} hashes, expected ${count % TILE_WIDTH}`);
      this.pending.push(split(p));
      this.first.push(Math.floor(count / TILE_WIDTH));
    }
    if (partialEntries.length !== startSize % TILE_WIDTH) throw new Error(`partial bundle: ${partialEntries.length} entries, expected ${startSize % TILE_WIDTH}`);
    this.bundle = [...partialEntries];
    this.bundleIndex = Math.floor(startSize / TILE_WIDTH);
  }

  /**
   * Appends entries (with their leaf hashes, concatenated, when the caller has
   * them); returns the tiles and bundles that became full. The roots of the
   * level-0 tiles completed by a batch are hashed in one bulk call.
   */
  async push(entries: readonly Uint8Array[], leafHashes?: Uint8Array): Promise<TileData[]> {
    const leaves = leafHashes ?? await this.hasher.leaves(entries);
    if (leaves.length !== entries.length * HASH_SIZE) throw new Error(`push: ${leaves.length / HASH_SIZE} leaf hashes for ${entries.length} entries`);
    const out: TileData[] = [];
    const completed: Uint8Array[] = [];
    const level0 = this.pending[0] as Uint8Array[];
    // bundle and level-0 tile fill in step (both hold size % 256 items): walk the batch a tile at a time
    for (let i = 0; i < entries.length;) {
      const take = Math.min(TILE_WIDTH - level0.length, entries.length - i);
      if (take === TILE_WIDTH) { // a whole tile inside this batch: no per-entry copies
        out.push({ tile: { level: 'entries', index: this.bundleIndex++, width: TILE_WIDTH }, data: encodeBundle(entries.slice(i, i + take)) });
        this.completeLevel0(leaves.slice(i * HASH_SIZE, (i + take) * HASH_SIZE), out, completed);
      } else {
        for (let k = i; k < i + take; k++) {
          this.bundle.push(entries[k] as Uint8Array);
          level0.push(leaves.subarray(k * HASH_SIZE, (k + 1) * HASH_SIZE));
        }
        if (level0.length === TILE_WIDTH) {
          out.push({ tile: { level: 'entries', index: this.bundleIndex++, width: TILE_WIDTH }, data: encodeBundle(this.bundle) });
          this.completeLevel0(concat(...level0), out, completed);
          this.bundle = [];
          level0.length = 0;
        }
      }
      i += take;
      this.size += take;
    }
    if (completed.length) {
      const roots = await this.hasher.perfectRoots(concat(...completed), TILE_WIDTH);
      for (let o = 0; o < roots.length; o += HASH_SIZE) {
        const full = this.addHash(1, roots.slice(o, o + HASH_SIZE), out);
        if (full) await full; // only when a level-1 tile completes
      }
    }
    return out;
  }

  private completeLevel0(data: Uint8Array, out: TileData[], completed: Uint8Array[]): void {
    out.push({ tile: { level: 0, index: this.first[0] as number, width: TILE_WIDTH }, data });
    completed.push(data);
    this.first[0] = (this.first[0] as number) + 1;
  }

  /** Adds H_level[j]; returns a promise only when it completes a tile (the tile's root goes up a level). */
  private addHash(level: number, hash: Uint8Array, out: TileData[]): Promise<void> | undefined {
    while (this.pending.length <= level) {
      this.pending.push([]);
      this.first.push(0);
    }
    const p = this.pending[level] as Uint8Array[];
    p.push(hash);
    if (p.length < TILE_WIDTH) return undefined;
    const data = concat(...p);
    out.push({ tile: { level, index: this.first[level] as number, width: TILE_WIDTH }, data });
    this.pending[level] = [];
    this.first[level] = (this.first[level] as number) + 1;
    return this.hasher.perfectRoot(data).then((root) => this.addHash(level + 1, root, out));
  }

  /** Partial tiles and bundle at the current size that differ from those at startSize, and the tree root. */
  async finish(): Promise<{ size: number; root: Uint8Array; partials: Uint8Array[]; tiles: TileData[] }> {
    const tiles: TileData[] = [];
    const partials = this.pending.map((p) => concat(...p));
    for (const t of newTiles(this.startSize, this.size)) {
      if (t.width < TILE_WIDTH) tiles.push({ tile: t, data: partials[t.level as number] as Uint8Array });
    }
    for (const t of newTiles(this.startSize, this.size, true)) {
      if (t.width < TILE_WIDTH) tiles.push({ tile: t, data: encodeBundle(this.bundle) });
    }
    return { size: this.size, root: await rootFromPartials(this.hasher, this.size, partials), partials, tiles };
  }
}

function split(p: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < p.length; o += HASH_SIZE) out.push(p.subarray(o, o + HASH_SIZE));
  return out;
}

/**
 * MTH(D[0:size]) from the partial tiles of `size` alone: the tree splits into
 * perfect subtrees following the bits of size, and the bits 8l..8l+7 are
 * exactly the hashes of the partial level-l tile.
 */
export async function rootFromPartials(hasher: TreeHasher, size: number, partials: readonly Uint8Array[]): Promise<Uint8Array> {
  if (size === 0) return hasher.empty();
  const subtrees: Uint8Array[] = [];
  for (let l = levelCount(size) - 1; l >= 0; l--) {
    const w = Math.floor(size / pow256(l)) % TILE_WIDTH;
    const p = partials[l] ?? new Uint8Array(0);
    if (p.length !== w * HASH_SIZE) throw new Error(`partial tile at level ${l}: ${p.length / 32} hashes, expected ${w}`);
    let o = 0;
    for (let b = 7; b >= 0; b--) {
      if (!(w & (1 << b))) continue;
      subtrees.push(await hasher.perfectRoot(p.subarray(o * HASH_SIZE, (o + (1 << b)) * HASH_SIZE)));
      o += 1 << b;
    }
  }
  let r = subtrees.pop() as Uint8Array;
  while (subtrees.length) r = await hasher.node(subtrees.pop() as Uint8Array, r);
  return r;
}
