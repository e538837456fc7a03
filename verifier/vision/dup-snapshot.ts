import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import type { Storage } from '../../lib/storage.ts';
import { getStream, uploadStream } from '../../lib/storage-stream.ts';
import type { Queryable } from '../media/index.ts';
import { DESCRIPTOR_DIMS } from './descriptor.ts';
import { DuplicateIndex, type IndexState } from './dup-index.ts';

/**
 * A snapshot of one worker's DuplicateIndex in object storage, one object per
 * descriptor version at `<prefix><version>/index.snap`:
 *
 *   MAGIC (8) | header length (u32 BE) | header JSON | ids (size × 32) | usearch graph | SHA-256 of all before (32)
 *
 * The header names the descriptor version, the snapshot format and the highest
 * visual_descriptors id covered; a worker loads the snapshot, then catches up
 * by id from Postgres. Anything unusable (missing, truncated, checksum, other
 * version or format, another database's rows) means a rebuild from Postgres.
 */
const MAGIC = Buffer.from('OHDUPIX\n');
/** Bumped when the layout or the index parameters change: older snapshots are then rebuilt. */
export const SNAPSHOT_FORMAT = 1;
const MAX_HEADER_BYTES = 16 * 2 ** 20;
const DIGEST_BYTES = 32;

export interface SnapshotOptions {
  storage: Storage;
  /** Key prefix of the snapshots in the bucket (e.g. `vision-index/`). */
  prefix: string;
  /** Where the graph file is written and read on its way to and from storage (default: the OS temp dir). */
  dir?: string;
}

interface Header {
  format: number;
  modelVersion: string;
  dims: number;
  size: number;
  lastId: string;
  lastEvidenceId: string | null;
  gaps: string[];
  graphBytes: number;
  createdAt: string;
}

export const snapshotKey = (prefix: string, modelVersion: string) => `${prefix}${modelVersion}/index.snap`;

/** User metadata stored with the object, so a writer can tell whether a new snapshot is due without downloading it. */
export interface SnapshotMeta {
  format: number;
  size: number;
  createdAtMs: number;
}

export function parseSnapshotMeta(m: Record<string, string>): SnapshotMeta {
  return { format: Number(m.format), size: Number(m.size), createdAtMs: Number(m['created-at-ms']) };
}

export interface SavedSnapshot {
  key: string;
  bytes: number;
  size: number;
  lastId: bigint;
}

/** Writes `index` (between two catch-ups) to storage, replacing that version's previous snapshot. */
export async function saveSnapshot(index: DuplicateIndex, o: SnapshotOptions): Promise<SavedSnapshot> {
  const tmp = await mkdtemp(path.join(o.dir ?? os.tmpdir(), 'dup-snapshot-'));
  try {
    const graphFile = path.join(tmp, 'graph.usearch');
    const state = await index.exportState(graphFile);
    const graphBytes = (await stat(graphFile)).size;
    const createdAt = new Date();
    const header: Header = {
      format: SNAPSHOT_FORMAT,
      modelVersion: state.modelVersion,
      dims: DESCRIPTOR_DIMS,
      size: state.size,
      lastId: state.lastId.toString(),
      lastEvidenceId: state.lastEvidenceId,
      gaps: state.gaps.map(String),
      graphBytes,
      createdAt: createdAt.toISOString(),
    };
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(json.length);
    async function* body(): AsyncGenerator<Buffer> {
      const hash = createHash('sha256');
      for (const b of [MAGIC, length, json, state.ids]) {
        hash.update(b);
        yield b;
      }
      for await (const chunk of createReadStream(graphFile, { highWaterMark: 2 ** 20 })) {
        hash.update(chunk as Buffer);
        yield chunk as Buffer;
      }
      yield hash.digest();
    }
    const key = snapshotKey(o.prefix, state.modelVersion);
    const meta = { format: String(SNAPSHOT_FORMAT), size: String(state.size), 'last-id': header.lastId, 'created-at-ms': String(createdAt.getTime()) };
    const bytes = await uploadStream(o.storage, key, body(), 'application/octet-stream', meta);
    return { key, bytes, size: state.size, lastId: state.lastId };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Why a snapshot was not used; logged, then the index is rebuilt. */
class Unusable extends Error {}

/** Reads a stream exactly: fixed-size pieces, hashing what it hands out. */
class ExactReader {
  readonly hash = createHash('sha256');
  readonly #it: AsyncIterator<Buffer>;
  #buf: Buffer = Buffer.alloc(0);

  constructor(stream: AsyncIterable<Buffer>) {
    this.#it = stream[Symbol.asyncIterator]();
  }

  async #piece(max: number): Promise<Buffer> {
    if (this.#buf.length === 0) {
      const r = await this.#it.next();
      if (r.done) throw new Unusable('truncated');
      this.#buf = r.value;
    }
    const out = this.#buf.subarray(0, max);
    this.#buf = this.#buf.subarray(out.length);
    return out;
  }

  async take(n: number, hashed = true): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let got = 0; got < n; ) {
      const p = await this.#piece(n - got);
      parts.push(p);
      got += p.length;
    }
    const out = parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts, n);
    if (hashed) this.hash.update(out);
    return out;
  }

  async copy(n: number, to: WriteStream): Promise<void> {
    for (let got = 0; got < n; ) {
      const p = await this.#piece(n - got);
      this.hash.update(p);
      got += p.length;
      if (!to.write(p)) await once(to, 'drain');
    }
  }

  async atEnd(): Promise<boolean> {
    return this.#buf.length === 0 && (await this.#it.next()).done === true;
  }
}

function parseHeader(json: Buffer): Header {
  let h: Partial<Header>;
  try {
    h = JSON.parse(json.toString('utf8')) as Partial<Header>;
  } catch {
    throw new Unusable('corrupt header');
  }
  const ok =
    typeof h.format === 'number' && typeof h.modelVersion === 'string' && typeof h.dims === 'number' &&
    Number.isSafeInteger(h.size) && (h.size ?? -1) >= 0 && typeof h.lastId === 'string' && /^\d+$/.test(h.lastId) &&
    (h.lastEvidenceId === null || typeof h.lastEvidenceId === 'string') && Array.isArray(h.gaps) &&
    h.gaps.every((g) => typeof g === 'string' && /^\d+$/.test(g)) && Number.isSafeInteger(h.graphBytes) && (h.graphBytes ?? -1) > 0;
  if (!ok) throw new Unusable('corrupt header');
  return h as Header;
}

/** The snapshot's state and graph file (in `tmp`), checked against its checksum, the version and the database. */
async function readSnapshot(db: Queryable, modelVersion: string, o: SnapshotOptions, tmp: string): Promise<{ state: IndexState; graphFile: string } | null> {
  const body = await getStream(o.storage, snapshotKey(o.prefix, modelVersion));
  if (!body) return null;
  try {
    const r = new ExactReader(body);
    if (!(await r.take(MAGIC.length)).equals(MAGIC)) throw new Unusable('not a snapshot (bad magic)');
    const length = (await r.take(4)).readUInt32BE();
    if (length > MAX_HEADER_BYTES) throw new Unusable('corrupt header');
    const h = parseHeader(await r.take(length));
    if (h.format !== SNAPSHOT_FORMAT || h.modelVersion !== modelVersion || h.dims !== DESCRIPTOR_DIMS) {
      throw new Unusable(`wrong version (snapshot format ${h.format}, descriptor version ${h.modelVersion}, ${h.dims} dims; want format ${SNAPSHOT_FORMAT}, ${modelVersion}, ${DESCRIPTOR_DIMS})`);
    }
    const ids = await r.take(h.size * 32);
    const graphFile = path.join(tmp, 'graph.usearch');
    const out = createWriteStream(graphFile);
    try {
      await r.copy(h.graphBytes, out);
    } finally {
      out.end();
      await once(out, 'close');
    }
    const digest = r.hash.digest();
    if (!(await r.take(DIGEST_BYTES, false)).equals(digest)) throw new Unusable('corrupt (checksum mismatch)');
    if (!(await r.atEnd())) throw new Unusable('corrupt (bytes after the checksum)');
    const lastId = BigInt(h.lastId);
    if (lastId > 0n) {
      const { rows } = await db.query<{ evidence_id: string }>('SELECT evidence_id FROM visual_descriptors WHERE id = $1', [h.lastId]);
      if (rows[0]?.evidence_id !== h.lastEvidenceId) throw new Unusable(`does not match this database (row ${h.lastId} is not evidence ${h.lastEvidenceId})`);
    }
    return { state: { modelVersion, size: h.size, lastId, lastEvidenceId: h.lastEvidenceId, gaps: h.gaps.map(BigInt), ids }, graphFile };
  } finally {
    body.destroy();
  }
}

/** What the snapshot code logs with (a pino Logger is one). */
export interface SnapshotLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * The index of `modelVersion` from its newest snapshot (not yet caught up), or
 * null, with a log line saying why, when there is none or it cannot be used:
 * the caller then rebuilds from Postgres. Never throws for a bad snapshot or
 * an unreachable store.
 */
export async function loadSnapshot(db: Queryable, modelVersion: string, o: SnapshotOptions, log: SnapshotLog): Promise<DuplicateIndex | null> {
  const t = performance.now();
  const key = snapshotKey(o.prefix, modelVersion);
  let tmp: string | null = null;
  try {
    tmp = await mkdtemp(path.join(o.dir ?? os.tmpdir(), 'dup-snapshot-'));
    const read = await readSnapshot(db, modelVersion, o, tmp);
    if (!read) {
      log.info({ key }, 'visual duplicate index: no snapshot, rebuilding from Postgres');
      return null;
    }
    const index = new DuplicateIndex(db, modelVersion);
    index.importState(read.state, read.graphFile);
    log.info({ key, descriptors: read.state.size, lastId: read.state.lastId.toString(), ms: Math.round(performance.now() - t) }, 'visual duplicate index: loaded snapshot, catching up from Postgres');
    return index;
  } catch (err) {
    const reason = err instanceof Unusable ? err.message : `unreadable: ${err instanceof Error ? err.message : String(err)}`;
    log.warn({ key, reason }, `visual duplicate index: snapshot not used (${reason}), rebuilding from Postgres`);
    return null;
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}
