/**
 * Publishes the impact ledger as a C2SP tiled log under `log/` in object
 * storage: tiles, entry bundles, a signed checkpoint and the verifier key.
 * Incremental and idempotent: it resumes from the published checkpoint, checks
 * that the published partial tiles reproduce its root and match the database,
 * writes only new tiles (full ones immutable), and signs the checkpoint last.
 * Concurrent publishers serialize on a Postgres advisory lock.
 */
import type pg from 'pg';
import { readEncodedRange } from '../lib/ledger-store.ts';
import type { Config } from '../lib/config.ts';
import type { Storage } from '../lib/storage.ts';
import { createNoteSigner, openCheckpoint, parseVerifierKey, signCheckpoint } from './checkpoint.ts';
import type { Checkpoint, NoteSigner } from './checkpoint.ts';
import { concat, equalBytes, fromBase64, hex } from './hash.ts';
import { nodeHasher } from './node-sha256.ts';
import { decodeBundle, encodeBundle, levelCount, pow256, rootFromPartials, TILE_WIDTH, tilePath, TileWriter } from './tiles.ts';
import type { Tile, TileData } from './tiles.ts';

export const LOG_PREFIX = 'log/';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const SHORT_LIVED = 'public, max-age=10';
const OCTETS = 'application/octet-stream';
const TEXT = 'text/plain; charset=utf-8';
const PUBLISH_LOCK_KEY = 0x07109_c0de;

export interface PublishOptions {
  pool: pg.Pool;
  storage: Storage;
  signer: NoteSigner;
  origin: string;
  /** Object key prefix of the log (default `log/`). */
  prefix?: string;
  /** Publish up to this tree size instead of the whole ledger. */
  upTo?: number;
  /** Also store the checkpoint of this run at `<prefix><alsoAt>` (e.g. `epochs/3/checkpoint`). */
  alsoAt?: string;
  /** Refuse to sign unless the root at the published size is this one. */
  expectRoot?: Uint8Array;
  /** Entries read from the database per batch. */
  batch?: number;
  /** Parallel object writes. */
  concurrency?: number;
}

export interface PublishResult { previousSize: number; size: number; root: Uint8Array; checkpoint: string; objectsWritten: number }

/** The checkpoint signer configured by TLOG_SIGNING_KEY / TLOG_ORIGIN. */
export async function signerFromConfig(config: Pick<Config, 'TLOG_SIGNING_KEY' | 'TLOG_ORIGIN'>): Promise<NoteSigner> {
  return createNoteSigner(config.TLOG_ORIGIN, fromBase64(config.TLOG_SIGNING_KEY));
}

async function getOrNull(storage: Storage, key: string): Promise<Uint8Array | null> {
  return (await storage.head(key)) ? storage.get(key) : null;
}

/** The published checkpoint under `prefix`, verified with the signer's own key, or null. */
export async function publishedCheckpoint(storage: Storage, signer: NoteSigner, origin: string, prefix = LOG_PREFIX): Promise<Checkpoint | null> {
  const note = await getOrNull(storage, `${prefix}checkpoint`);
  return note ? openCheckpoint(note, await parseVerifierKey(signer.vkey), origin) : null;
}

async function putAll(storage: Storage, prefix: string, tiles: readonly TileData[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tiles.length) {
      const t = tiles[next++] as TileData;
      await storage.put(prefix + tilePath(t.tile), t.data, OCTETS, t.tile.width === TILE_WIDTH ? IMMUTABLE : SHORT_LIVED);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tiles.length) }, worker));
}

/** The tile (l, N) as published at `size` (full, or partial at that size). */
function publishedTile(level: Tile['level'], index: number, size: number): Tile {
  const l = level === 'entries' ? 0 : level;
  const full = (index + 1) * pow256(l + 1) <= size;
  return { level, index, width: full ? TILE_WIDTH : Math.floor(size / pow256(l)) % TILE_WIDTH };
}

/** Partial tiles (per level) and the partial bundle's entries of `size`, cut from the tiles published at `publishedSize` ≥ size. */
async function loadPartials(storage: Storage, prefix: string, size: number, publishedSize: number): Promise<{ partials: Uint8Array[]; entries: Uint8Array[] }> {
  const partials: Uint8Array[] = [];
  for (let l = 0; l < levelCount(size); l++) {
    const w = Math.floor(size / pow256(l)) % TILE_WIDTH;
    if (!w) { partials.push(new Uint8Array(0)); continue; }
    const src = publishedTile(l, Math.floor(size / pow256(l + 1)), publishedSize);
    partials.push((await storage.get(prefix + tilePath(src))).slice(0, w * 32));
  }
  let entries: Uint8Array[] = [];
  if (size % TILE_WIDTH) {
    const src = publishedTile('entries', Math.floor(size / TILE_WIDTH), publishedSize);
    entries = decodeBundle(await storage.get(prefix + tilePath(src))).slice(0, size % TILE_WIDTH);
  }
  return { partials, entries };
}

async function ledgerSize(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query('SELECT coalesce(max(seq) + 1, 0)::bigint::text AS n FROM ledger_entries');
  return Number((rows[0] as { n: string }).n);
}

/** Brings the published log up to date (or up to `upTo`); see the module comment. */
export async function publishLog(o: PublishOptions): Promise<PublishResult> {
  const lock = await o.pool.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [PUBLISH_LOCK_KEY]);
    return await publishLocked(o);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [PUBLISH_LOCK_KEY]).catch(() => {});
    lock.release();
  }
}

async function publishLocked(o: PublishOptions): Promise<PublishResult> {
  const prefix = o.prefix ?? LOG_PREFIX;
  const hasher = nodeHasher();
  const concurrency = o.concurrency ?? 16;
  const previous = await publishedCheckpoint(o.storage, o.signer, o.origin, prefix);
  const oldSize = previous?.size ?? 0;
  const dbSize = await ledgerSize(o.pool);
  const target = o.upTo ?? dbSize;
  if (!Number.isSafeInteger(target) || target < 0 || target > dbSize) throw new Error(`tlog: cannot publish size ${target}: the ledger has ${dbSize} entries`);

  // The published state must reproduce its signed root and agree with the database.
  const old = await loadPartials(o.storage, prefix, oldSize, oldSize);
  const oldRoot = await rootFromPartials(hasher, oldSize, old.partials);
  if (previous && !equalBytes(oldRoot, previous.root)) throw new Error(`tlog: published partial tiles at size ${oldSize} do not reproduce the checkpoint root`);
  const dbTail = await readEncodedRange(o.pool, oldSize - (oldSize % TILE_WIDTH), oldSize);
  const tailLeaves = await Promise.all(dbTail.map((e) => hasher.leaf(e)));
  if (!equalBytes(concat(...tailLeaves), old.partials[0] ?? new Uint8Array(0)) || !dbTail.every((e, i) => equalBytes(e, old.entries[i] as Uint8Array))) {
    throw new Error(`tlog: the published partial tile/bundle at size ${oldSize} differs from the database`);
  }

  let written = 0;
  let size: number;
  let root: Uint8Array;
  if (target <= oldSize) {
    // An earlier size (e.g. an epoch the log already passed): serve its partial tiles, sign it, keep the main checkpoint.
    const at = await loadPartials(o.storage, prefix, target, oldSize);
    const tiles: TileData[] = [];
    at.partials.forEach((p, l) => { if (p.length) tiles.push({ tile: publishedTile(l, Math.floor(target / pow256(l + 1)), target), data: p }); });
    if (at.entries.length) tiles.push({ tile: publishedTile('entries', Math.floor(target / TILE_WIDTH), target), data: encodeBundle(at.entries) });
    if (target < oldSize) await putAll(o.storage, prefix, tiles, concurrency);
    written += target < oldSize ? tiles.length : 0;
    size = target;
    root = await rootFromPartials(hasher, target, at.partials);
  } else {
    const writer = new TileWriter(hasher, oldSize, old.partials, old.entries);
    const batch = o.batch ?? 8192;
    for (let from = oldSize; from < target; from += batch) {
      const entries = await readEncodedRange(o.pool, from, Math.min(target, from + batch));
      const tiles = await writer.push(entries);
      await putAll(o.storage, prefix, tiles, concurrency);
      written += tiles.length;
    }
    const done = await writer.finish();
    await putAll(o.storage, prefix, done.tiles, concurrency);
    written += done.tiles.length;
    size = done.size;
    root = done.root;
  }
  if (o.expectRoot && !equalBytes(root, o.expectRoot)) throw new Error(`tlog: root at size ${size} is ${hex(root)}, expected ${hex(o.expectRoot)}`);
  const checkpoint = await signCheckpoint({ origin: o.origin, size, root }, o.signer);
  if (size > oldSize || !previous) {
    await o.storage.put(`${prefix}vkey`, `${o.signer.vkey}\n`, TEXT, SHORT_LIVED);
    await o.storage.put(`${prefix}checkpoint`, checkpoint, TEXT, SHORT_LIVED);
    written += 2;
  }
  if (o.alsoAt) {
    await o.storage.put(prefix + o.alsoAt, checkpoint, TEXT, IMMUTABLE);
    written++;
  }
  return { previousSize: oldSize, size, root, checkpoint, objectsWritten: written };
}
