/**
 * Dependency-free verifier for the tiled log: only fetch, TextEncoder and
 * crypto.subtle, so it runs in Node and in a browser. It fetches just the
 * tiles a proof needs (in parallel), computes the proof and checks it against
 * the signed checkpoint and, optionally, against a root the caller obtained
 * elsewhere (e.g. LedgerAnchor.epochRecord on-chain).
 */
import { openCheckpoint, parseVerifierKey } from './checkpoint.ts';
import type { Checkpoint, NoteVerifier } from './checkpoint.ts';
import { equalBytes, hex, TreeHasher } from './hash.ts';
import { consistencyRanges, hashRanges, inclusionRanges, tilesForRanges, treeRoot, verifyConsistency, verifyInclusion } from './tile-proofs.ts';
import { decodeBundle, HASH_SIZE, TILE_WIDTH, tilePath } from './tiles.ts';
import type { Tile } from './tiles.ts';
import type { SubtreeMemo } from './tile-proofs.ts';

export interface LogClientOptions {
  /** URL of the log prefix, e.g. `https://cdn.example/oneheart/log` (no trailing slash needed). */
  baseUrl: string;
  /** Verifier key string `<name>+<keyid>+<key>`. */
  vkey: string;
  /** Checkpoint origin (default: the key name). */
  origin?: string;
  fetch?: typeof fetch;
  hasher?: TreeHasher;
}

/** A tree head the caller trusts from another source (e.g. an on-chain anchor). */
export interface TrustedRoot { size: number; root: Uint8Array }

export interface VerifiedEntry { index: number; entry: Uint8Array; leafHash: Uint8Array; proof: Uint8Array[]; checkpoint: Checkpoint }

/** A verification failure: the log served something inconsistent. */
export class LogError extends Error {
  override name = 'LogError';
}

/** The log could not be reached or did not serve a resource (not by itself an inconsistency). */
export class FetchError extends Error {
  override name = 'FetchError';
}

export class LogClient {
  readonly hasher: TreeHasher;
  /** Tile fetches issued (for measurements). */
  fetches = 0;
  bytesFetched = 0;
  private readonly base: string;
  private readonly get: typeof fetch;
  private readonly cache = new Map<string, Promise<Uint8Array>>();
  /** Subtree hashes of fetched tiles (tile paths name immutable content, so this is as valid as the tile cache). */
  private readonly memo: SubtreeMemo = new Map();

  private constructor(o: LogClientOptions, readonly verifier: NoteVerifier, readonly origin: string) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.get = o.fetch ?? ((input, init) => fetch(input, init));
    this.hasher = o.hasher ?? new TreeHasher();
  }

  static async create(o: LogClientOptions): Promise<LogClient> {
    const v = await parseVerifierKey(o.vkey);
    return new LogClient(o, v, o.origin ?? v.name);
  }

  private async fetchBytes(path: string): Promise<Uint8Array> {
    const res = await this.get(`${this.base}/${path}`).catch((err: unknown) => { throw new FetchError(`GET ${path}: ${(err as Error).message}`); });
    if (!res.ok) throw new FetchError(`GET ${path}: HTTP ${res.status}`);
    const b = new Uint8Array(await res.arrayBuffer());
    this.fetches++;
    this.bytesFetched += b.length;
    return b;
  }

  /** The latest checkpoint (or the one at `path`, e.g. `epochs/3/checkpoint`), signature and origin verified. */
  async checkpoint(path = 'checkpoint'): Promise<Checkpoint> {
    const note = await this.fetchBytes(path);
    try {
      return await openCheckpoint(note, this.verifier, this.origin);
    } catch (err) {
      throw new LogError(`${path}: ${(err as Error).message}`);
    }
  }

  /** Tiles by path (cached: a tile path names immutable content). Checks sizes. */
  async tiles(tiles: readonly Tile[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    await Promise.all(tiles.map(async (t) => {
      const p = tilePath(t);
      let pending = this.cache.get(p);
      if (!pending) {
        pending = this.fetchBytes(p);
        this.cache.set(p, pending);
        pending.catch(() => this.cache.delete(p));
      }
      const data = await pending;
      if (t.level !== 'entries' && data.length !== t.width * HASH_SIZE) throw new LogError(`${p}: ${data.length} bytes, expected ${t.width * HASH_SIZE}`);
      out.set(p, data);
    }));
    return out;
  }

  /** Entries [index of bundle] as published at `size`. */
  async bundle(index: number, size: number): Promise<Uint8Array[]> {
    const full = (index + 1) * TILE_WIDTH <= size;
    const t: Tile = { level: 'entries', index, width: full ? TILE_WIDTH : size % TILE_WIDTH };
    const data = (await this.tiles([t])).get(tilePath(t)) as Uint8Array;
    let entries: Uint8Array[];
    try {
      entries = decodeBundle(data);
    } catch (err) {
      throw new LogError(`${tilePath(t)}: ${(err as Error).message}`);
    }
    if (entries.length !== t.width) throw new LogError(`${tilePath(t)}: ${entries.length} entries, expected ${t.width}`);
    return entries;
  }

  /** Root at `size` computed from the tiles published for `at` ≥ size. */
  async rootAt(size: number, at: number): Promise<Uint8Array> {
    if (size === 0) return this.hasher.empty();
    const tiles = await this.tiles(tilesForRanges([[0, size]], at));
    return treeRoot(this.hasher, tiles, size, at);
  }

  /**
   * Fetches entry `index` and proves it is in the signed checkpoint (fetched
   * unless given) and, when `trusted` is given, in that tree head too (and that
   * the trusted head is a prefix of the checkpoint's tree). Throws LogError.
   */
  async verifyEntry(index: number, opts: { checkpoint?: Checkpoint; trusted?: TrustedRoot } = {}): Promise<VerifiedEntry> {
    const cp = opts.checkpoint ?? await this.checkpoint();
    if (!Number.isSafeInteger(index) || index < 0 || index >= cp.size) throw new LogError(`entry ${index} is beyond the checkpoint (size ${cp.size})`);
    const ranges = inclusionRanges(index, cp.size);
    const [entries, tiles] = await Promise.all([this.bundle(Math.floor(index / TILE_WIDTH), cp.size), this.tiles(tilesForRanges(ranges, cp.size))]);
    const entry = entries[index % TILE_WIDTH] as Uint8Array;
    const leafHash = await this.hasher.leaf(entry);
    const proof = await hashRanges(this.hasher, tiles, cp.size, ranges, this.memo);
    if (!(await verifyInclusion(this.hasher, leafHash, index, cp.size, proof, cp.root))) {
      throw new LogError(`entry ${index}: inclusion proof from the tiles does not match the signed checkpoint root (size ${cp.size})`);
    }
    if (opts.trusted) await this.verifyTrusted(index, leafHash, cp, opts.trusted);
    return { index, entry, leafHash, proof, checkpoint: cp };
  }

  private async verifyTrusted(index: number, leafHash: Uint8Array, cp: Checkpoint, t: TrustedRoot): Promise<void> {
    if (t.size > cp.size) throw new LogError(`trusted root of size ${t.size} is ahead of the checkpoint (size ${cp.size})`);
    if (index >= t.size) throw new LogError(`entry ${index} is beyond the trusted root (size ${t.size})`);
    const ranges = inclusionRanges(index, t.size);
    const proof = await hashRanges(this.hasher, await this.tiles(tilesForRanges(ranges, cp.size)), cp.size, ranges, this.memo);
    if (!(await verifyInclusion(this.hasher, leafHash, index, t.size, proof, t.root))) {
      throw new LogError(`entry ${index}: not included in the trusted root ${hex(t.root)} of size ${t.size}`);
    }
    await this.verifyConsistent({ origin: cp.origin, size: t.size, root: t.root }, cp);
  }

  /** Proves from tiles that `older` is a prefix of `newer` (both already trusted heads). Throws LogError. */
  async verifyConsistent(older: Pick<Checkpoint, 'size' | 'root' | 'origin'>, newer: Checkpoint): Promise<void> {
    if (older.size > newer.size) throw new LogError(`tree shrank: size ${older.size} → ${newer.size}`);
    if (older.size === 0) return;
    if (older.size === newer.size) {
      if (!equalBytes(older.root, newer.root)) throw new LogError(`two different roots for size ${older.size}: ${hex(older.root)} and ${hex(newer.root)}`);
      return;
    }
    const ranges = consistencyRanges(older.size, newer.size);
    const tiles = await this.tiles(tilesForRanges(ranges, newer.size));
    const proof = await hashRanges(this.hasher, tiles, newer.size, ranges, this.memo);
    if (!(await verifyConsistency(this.hasher, older.size, newer.size, proof, older.root, newer.root))) {
      throw new LogError(`tree of size ${older.size} (${hex(older.root)}) is not a prefix of the tree of size ${newer.size} (${hex(newer.root)})`);
    }
  }
}
