import usearch, { type Index } from 'usearch';
import type { Queryable } from '../media/index.ts';
import { DESCRIPTOR_DIMS, normalise } from './descriptor.ts';

/**
 * An id below the highest one seen but not (yet) visible is either an insert
 * still in flight (its transaction commits later) or a sequence value never
 * used (a rolled-back or conflicting insert). It is looked for again at every
 * catch-up for this long, then given up as unused.
 */
export const GAP_TTL_MS = 60_000;
/** A longer run of missing ids (e.g. the first load, or a burst of conflicting inserts) is taken as unused at once. */
const MAX_GAP_RUN = 1_000n;
/** Neighbours fetched per lookup, so matches of the same action can be skipped. */
const NEIGHBOURS = 16;

/** Descriptor ↔ BYTEA: i8, scaled so the largest component is ±127 (cosine ignores the scale). */
export function encodeDescriptor(v: Float32Array): Buffer {
  let max = 0;
  for (const x of v) max = Math.max(max, Math.abs(x));
  const s = max > 0 ? 127 / max : 0;
  const out = Buffer.alloc(v.length);
  for (let i = 0; i < v.length; i++) out.writeInt8(Math.round((v[i] ?? 0) * s), i);
  return out;
}

export function decodeDescriptor(b: Uint8Array): Float32Array {
  const i8 = new Int8Array(b.buffer, b.byteOffset, b.byteLength);
  return normalise(Float32Array.from(i8));
}

const uuidBytes = (u: string) => Buffer.from(u.replace(/-/g, ''), 'hex');
const uuidString = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/**
 * Everything a DuplicateIndex knows besides the HNSW graph (which usearch
 * saves to its own file): taken synchronously, so both describe one moment.
 */
export interface IndexState {
  modelVersion: string;
  /** Descriptors held (= usearch keys 0 … size-1). */
  size: number;
  /** Highest visual_descriptors id seen, and its evidence id (null before the first row). */
  lastId: bigint;
  lastEvidenceId: string | null;
  /** Ids below lastId not seen yet (inserts that may still commit). */
  gaps: bigint[];
  /** Evidence id then action id, 16 bytes each, per slot: size × 32 bytes. */
  ids: Buffer;
}

export interface VisualMatch {
  evidenceId: string;
  actionId: string;
  /** Cosine similarity of the descriptors (1 = the same picture). */
  similarity: number;
}

/**
 * Appends the descriptor of one evidence image (nothing when this evidence
 * already has one of this version). Returns whether a row was written.
 */
export async function storeDescriptor(db: Queryable, evidenceId: string, actionId: string, modelVersion: string, descriptor: Float32Array): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO visual_descriptors (evidence_id, action_id, model_version, descriptor) VALUES ($1, $2, $3, $4)
     ON CONFLICT (evidence_id, model_version) DO NOTHING`,
    [evidenceId, actionId, modelVersion, encodeDescriptor(descriptor)],
  );
  return (res.rowCount ?? 0) > 0;
}

/**
 * One verifier worker's in-memory HNSW index (usearch, cosine, i8) over the
 * visual_descriptors rows of one descriptor version, which stay the source
 * of truth. `catchUp()` adds the rows written since the last call, by any
 * process; call it before each lookup so every worker sees every committed
 * descriptor. Metadata (evidence and action ids) is kept as 32 bytes a row.
 */
export class DuplicateIndex {
  readonly #db: Queryable;
  readonly #version: string;
  readonly #index: Index;
  /** Evidence id then action id, 16 bytes each, per slot (the slot is the usearch key). */
  #ids = Buffer.alloc(32 * 1024);
  #size = 0;
  /** Highest row id seen, and its evidence id. */
  #last = 0n;
  #lastEvidence: string | null = null;
  /** Ids below #last not seen yet → when first missed. */
  readonly #gaps = new Map<bigint, number>();
  #chain: Promise<unknown> = Promise.resolve();

  /** Rows read per query while loading or catching up. */
  readonly #page: number;

  constructor(db: Queryable, modelVersion: string, pageSize = 50_000) {
    this.#db = db;
    this.#page = pageSize;
    this.#version = modelVersion;
    // A snapshot (dup-snapshot.ts) carries these in its graph: change them together with SNAPSHOT_FORMAT.
    this.#index = new usearch.Index({
      dimensions: DESCRIPTOR_DIMS,
      metric: usearch.MetricKind.Cos,
      quantization: usearch.ScalarKind.I8,
      connectivity: 16,
      expansion_add: 128,
      expansion_search: 64,
      multi: false,
    });
  }

  /** Descriptors held. */
  get size(): number {
    return this.#size;
  }

  /** The descriptor version this index holds. */
  get modelVersion(): string {
    return this.#version;
  }

  /** Adds the rows committed since the last call (one catch-up at a time). Returns how many were added. */
  catchUp(): Promise<number> {
    const run = this.#chain.then(() => this.#pull());
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #pull(): Promise<number> {
    const now = Date.now();
    for (const [id, since] of this.#gaps) if (now - since > GAP_TTL_MS) this.#gaps.delete(id);
    let added = 0;
    let gaps = [...this.#gaps.keys()].map(String);
    for (;;) {
      const { rows } = await this.#db.query<{ row_id: string; evidence_id: string; action_id: string; descriptor: Buffer | null }>(
        `SELECT id::text AS row_id, evidence_id, action_id, CASE WHEN model_version = $1 THEN descriptor END AS descriptor
           FROM visual_descriptors WHERE id > $2 OR id = ANY($3::bigint[]) ORDER BY id LIMIT $4`,
        [this.#version, this.#last.toString(), gaps, this.#page],
      );
      gaps = [];
      const keys: bigint[] = [];
      const vectors = new Float32Array(rows.length * DESCRIPTOR_DIMS);
      for (const r of rows) {
        const id = BigInt(r.row_id);
        if (id <= this.#last) this.#gaps.delete(id);
        else {
          if (id - this.#last <= MAX_GAP_RUN) for (let g = this.#last + 1n; g < id; g++) this.#gaps.set(g, now);
          this.#last = id;
          this.#lastEvidence = r.evidence_id;
        }
        if (!r.descriptor) continue;
        vectors.set(decodeDescriptor(r.descriptor), keys.length * DESCRIPTOR_DIMS);
        keys.push(BigInt(this.#remember(r.evidence_id, r.action_id)));
      }
      // Bulk loads use every core; a catch-up of one row stays on this thread.
      if (keys.length) this.#index.add(BigUint64Array.from(keys), vectors.subarray(0, keys.length * DESCRIPTOR_DIMS), keys.length > 1 ? 0 : 1);
      added += keys.length;
      if (rows.length < this.#page) return added;
    }
  }

  #remember(evidenceId: string, actionId: string): number {
    const slot = this.#size++;
    if ((slot + 1) * 32 > this.#ids.length) {
      const grown = Buffer.alloc(this.#ids.length * 2);
      this.#ids.copy(grown);
      this.#ids = grown;
    }
    uuidBytes(evidenceId).copy(this.#ids, slot * 32);
    uuidBytes(actionId).copy(this.#ids, slot * 32 + 16);
    return slot;
  }

  /**
   * Writes the HNSW graph to `indexFile` and returns the rest of the state, between two
   * catch-ups (a catch-up's page is applied synchronously, so graph and state always agree).
   * Blocks the event loop while usearch writes the file.
   */
  exportState(indexFile: string): Promise<IndexState> {
    const run = this.#chain.then(() => {
      this.#index.save(indexFile);
      return {
        modelVersion: this.#version,
        size: this.#size,
        lastId: this.#last,
        lastEvidenceId: this.#lastEvidence,
        gaps: [...this.#gaps.keys()],
        ids: Buffer.from(this.#ids.subarray(0, this.#size * 32)),
      };
    });
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Replaces this (empty) index by a saved one: the graph from `indexFile` (read into memory;
   * the file may be deleted afterwards) and `state`. Its gaps are looked for again at the next
   * catch-up as if just missed. Throws when the graph does not hold `state.size` vectors.
   */
  importState(state: IndexState, indexFile: string): void {
    if (this.#size > 0 || this.#last > 0n) throw new Error('importState needs an empty index');
    if (state.modelVersion !== this.#version) throw new Error(`state of descriptor version ${state.modelVersion}, index of ${this.#version}`);
    if (state.ids.length !== state.size * 32) throw new Error(`state holds ${state.ids.length} id bytes for ${state.size} descriptors`);
    this.#index.load(indexFile);
    if (this.#index.size() !== state.size || this.#index.dimensions() !== DESCRIPTOR_DIMS) {
      throw new Error(`saved graph holds ${this.#index.size()} vectors of ${this.#index.dimensions()} dimensions, expected ${state.size} of ${DESCRIPTOR_DIMS}`);
    }
    this.#ids = Buffer.alloc(Math.max(32 * 1024, state.ids.length * 2));
    state.ids.copy(this.#ids);
    this.#size = state.size;
    this.#last = state.lastId;
    this.#lastEvidence = state.lastEvidenceId;
    const now = Date.now();
    for (const g of state.gaps) this.#gaps.set(g, now);
  }

  /** The most similar indexed image of another action than `actionId`, or null when the index holds none. No catch-up. */
  nearest(descriptor: Float32Array, actionId: string): VisualMatch | null {
    if (this.#size === 0) return null;
    const own = uuidBytes(actionId);
    const { keys, distances } = this.#index.search(descriptor, Math.min(NEIGHBOURS, this.#size), 1);
    for (let i = 0; i < keys.length; i++) {
      const slot = Number(keys[i]);
      const action = this.#ids.subarray(slot * 32 + 16, slot * 32 + 32);
      if (action.equals(own)) continue;
      return { evidenceId: uuidString(this.#ids.subarray(slot * 32, slot * 32 + 16)), actionId: uuidString(action), similarity: 1 - (distances[i] ?? 1) };
    }
    return null;
  }
}
