/**
 * Postgres side of the impact ledger: appends entries inside the caller's
 * transaction. Invariants: seq is gapless from 0 (computed as max+1 under a
 * transaction-scoped EXCLUSIVE table lock, so a rolled-back caller leaves no gap),
 * prev_hash is the previous entry_hash (genesis: 32 zero bytes), encoded is
 * ledger/encodeEntry's canonical v1 encoding, and each action id yields at
 * most one entry (a second append returns the existing one).
 */
import { GENESIS_PREV_HASH, encodeEntry, entryHash } from '../ledger/index.ts';
import type { LedgerEntry } from '../ledger/index.ts';

/** Anything that runs parameterized SQL: a pg Client/PoolClient or a Prisma interactive transaction. */
export type SqlExecutor =
  | { query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }
  | { $queryRawUnsafe(text: string, ...params: unknown[]): Promise<unknown> };

/** Runs `text` on a pg client or a Prisma transaction and returns the rows. */
export async function sqlRows(tx: SqlExecutor, text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  if ('query' in tx) return (await tx.query(text, params)).rows;
  return (await tx.$queryRawUnsafe(text, ...params)) as Record<string, unknown>[];
}

/** Entry fields the caller provides; seq and prevHash are assigned by the store. */
export type AppendInput = Omit<LedgerEntry, 'seq' | 'prevHash'>;

export interface StoredEntry {
  seq: bigint;
  actionId: string;
  prevHash: Uint8Array;
  entryHash: Uint8Array;
  encoded: Uint8Array;
  /** false when the action already had an entry and that entry was returned. */
  created: boolean;
}

const toBuf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const bytes = (v: unknown): Uint8Array => new Uint8Array(v as Buffer);

/** DB Decimal(20,4) text for impact credits in units of 0.0001. */
export function creditsDecimal(units: bigint): string {
  const s = units.toString().padStart(5, '0');
  return `${s.slice(0, -4)}.${s.slice(-4)}`;
}

function rowToStored(r: Record<string, unknown>, created: boolean): StoredEntry {
  return {
    seq: BigInt(r.seq as string | number | bigint),
    actionId: String(r.action_id),
    prevHash: bytes(r.prev_hash),
    entryHash: bytes(r.entry_hash),
    encoded: bytes(r.encoded),
    created,
  };
}

const SELECT_BY_ACTION = 'SELECT seq::text AS seq, action_id::text AS action_id, prev_hash, entry_hash, encoded FROM ledger_entries WHERE action_id = $1::uuid';

/** Key of the transaction-scoped advisory lock that serializes ledger writers. */
const LEDGER_LOCK_KEY = 0x0ae4_1ed9;

/**
 * Serializes appends (and epoch freezes) until the end of the caller's
 * transaction; readers are not blocked. An advisory lock, not LOCK TABLE: the
 * application role holds no UPDATE/DELETE/TRUNCATE privilege on the ledger, and
 * Postgres requires one of those for table locks stronger than ROW EXCLUSIVE.
 */
export async function lockLedger(tx: SqlExecutor): Promise<void> {
  await sqlRows(tx, `SELECT pg_advisory_xact_lock(${LEDGER_LOCK_KEY})`);
}

/**
 * Appends the entry for `input.actionId` within the caller's open transaction `tx`
 * (the lock is released at its commit/rollback). Idempotent per action id.
 */
export async function appendEntry(tx: SqlExecutor, input: AppendInput): Promise<StoredEntry> {
  await lockLedger(tx);
  const existing = await sqlRows(tx, SELECT_BY_ACTION, [input.actionId]);
  if (existing[0]) return rowToStored(existing[0], false);

  const head = await sqlRows(tx, 'SELECT seq::text AS seq, entry_hash FROM ledger_entries ORDER BY ledger_entries.seq DESC LIMIT 1');
  const seq = head[0] ? BigInt(head[0].seq as string) + 1n : 0n;
  const prevHash = head[0] ? bytes(head[0].entry_hash) : GENESIS_PREV_HASH;
  const entry: LedgerEntry = { ...input, seq, prevHash };
  const encoded = encodeEntry(entry);
  const hash = entryHash(prevHash, encoded);
  await sqlRows(
    tx,
    `INSERT INTO ledger_entries (seq, action_id, prev_hash, entry_hash, encoded, player_address, xp, heart, impact_credits,
       fund_local_bps, fund_national_bps, fund_global_bps, formula_version, model_version, score, evidence_commitment, created_at)
     VALUES ($1::bigint, $2::uuid, $3, $4, $5, $6, $7, $8::numeric, $9::numeric, $10, $11, $12, $13, $14, $15, $16, clock_timestamp())`,
    [
      seq.toString(), input.actionId, toBuf(prevHash), toBuf(hash), toBuf(encoded), input.player.toLowerCase(), input.xp,
      input.heart.toString(), creditsDecimal(input.impactCredits), input.fund.localBps, input.fund.nationalBps,
      input.fund.globalBps, input.formulaVersion, input.modelVersion, input.score, toBuf(input.evidenceCommitment),
    ],
  );
  return { seq, actionId: input.actionId, prevHash, entryHash: hash, encoded, created: true };
}

/** The stored entry of an action, or null. */
export async function entryForAction(tx: SqlExecutor, actionId: string): Promise<StoredEntry | null> {
  const rows = await sqlRows(tx, SELECT_BY_ACTION, [actionId]);
  return rows[0] ? rowToStored(rows[0], false) : null;
}

/** Encodings of entries with seq in [from, to), in seq order (checks there is no gap). */
export async function readEncodedRange(tx: SqlExecutor, from: number, to: number): Promise<Uint8Array[]> {
  const rows = await sqlRows(tx, 'SELECT seq::text AS seq, encoded FROM ledger_entries WHERE seq >= $1 AND seq < $2 ORDER BY ledger_entries.seq', [from, to]);
  return rows.map((r, i) => {
    if (Number(r.seq) !== from + i) throw new Error(`ledger_entries: seq ${from + i} is missing (found ${String(r.seq)})`);
    return bytes(r.encoded);
  });
}
