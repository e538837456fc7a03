/**
 * Canonical byte encoding of a ledger entry, version 1 (see README.md for the
 * byte-by-byte table). Invariants:
 *  - every field has exactly one encoding (fixed-width big-endian integers,
 *    lowercase-insensitive hex/UUID inputs normalised to bytes), so
 *    decode(encode(e)) == e and encode(decode(b)) == b for every accepted b;
 *  - the encoding embeds prev_hash, so entryHash = SHA-256(encoding) chains
 *    entries: entry n's prev_hash is entry n-1's entryHash; genesis prev_hash
 *    is 32 zero bytes;
 *  - all fields before model_version are fixed-width, so seq, player and heart
 *    sit at fixed offsets (ENTRY_OFFSETS) for bulk readers.
 */
import { bytesOf, equalBytes, readUint, toHex, writeUint } from './bytes.ts';
import { sha256 } from './hash.ts';

export const ENTRY_VERSION = 1;
export const GENESIS_PREV_HASH: Uint8Array = new Uint8Array(32);
export const BPS_TOTAL = 10_000;

/** Byte offsets of the fixed-width fields in version 1. */
export const ENTRY_OFFSETS = {
  version: 0, seq: 1, prevHash: 9, player: 41, actionId: 61, missionId: 77, xp: 93, heart: 97,
  impactCredits: 129, fundLocalBps: 145, fundNationalBps: 147, fundGlobalBps: 149, formulaVersion: 151,
  score: 155, evidenceCommitment: 157, timestamp: 189, modelVersionLength: 197, modelVersion: 198,
} as const;
/** Size of an encoding whose model_version is empty; total size = ENTRY_FIXED_SIZE + model_version bytes. */
export const ENTRY_FIXED_SIZE = 198;

export interface FundAllocation {
  /** Basis points to the local, national and global funds; they sum to 10 000. */
  localBps: number;
  nationalBps: number;
  globalBps: number;
}

export interface LedgerEntry {
  seq: bigint;
  prevHash: Uint8Array;
  /** 20-byte EVM address, 0x-hex (any case on input, lowercase on decode). */
  player: string;
  /** UUIDs (8-4-4-4-12 hex), stored as their 16 raw bytes. */
  actionId: string;
  missionId: string;
  xp: number;
  /** Heart in wei (uint256). */
  heart: bigint;
  /** Impact credits in units of 0.0001 credit (uint128); DB Decimal(20,4) × 10^4. */
  impactCredits: bigint;
  fund: FundAllocation;
  formulaVersion: number;
  /** Verifier model version, UTF-8, at most 255 bytes. */
  modelVersion: string;
  /** Verifier score, uint16. */
  score: number;
  /** commitEvidence(...).commitment, 32 bytes. */
  evidenceCommitment: Uint8Array;
  /** Milliseconds since the Unix epoch (UTC), uint64, at most Number.MAX_SAFE_INTEGER. */
  timestamp: number;
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function uuidBytes(uuid: string, field: string): Uint8Array {
  if (!UUID_RE.test(uuid)) throw new Error(`${field}: not a UUID: ${uuid}`);
  return bytesOf(uuid.replaceAll('-', ''), field, 16);
}

function uuidString(b: Uint8Array): string {
  const h = toHex(b).slice(2);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function uintField(value: number, field: string): bigint {
  if (!Number.isSafeInteger(value)) throw new Error(`${field}: ${value} is not an integer`);
  return BigInt(value);
}

function checkFund(f: FundAllocation): void {
  const sum = f.localBps + f.nationalBps + f.globalBps;
  if (sum !== BPS_TOTAL) throw new Error(`fund: basis points sum to ${sum}, expected ${BPS_TOTAL}`);
}

/** Size in bytes of the version-1 encoding of `e`. */
export function encodedSize(e: LedgerEntry): number {
  return ENTRY_FIXED_SIZE + utf8.encode(e.modelVersion).length;
}

/** Writes the encoding of `e` at out[offset...]; returns the number of bytes written. */
export function encodeEntryInto(e: LedgerEntry, out: Uint8Array, offset: number): number {
  const O = ENTRY_OFFSETS;
  const mv = utf8.encode(e.modelVersion);
  if (mv.length > 255) throw new Error(`modelVersion: ${mv.length} bytes, at most 255`);
  const size = ENTRY_FIXED_SIZE + mv.length;
  if (offset + size > out.length) throw new Error(`encodeEntryInto: output too small`);
  checkFund(e.fund);
  const w = (at: number, width: number, v: bigint, field: string) => writeUint(out, offset + at, width, v, field);
  out[offset + O.version] = ENTRY_VERSION;
  w(O.seq, 8, e.seq, 'seq');
  out.set(bytesOf(e.prevHash, 'prevHash', 32), offset + O.prevHash);
  out.set(bytesOf(e.player, 'player', 20), offset + O.player);
  out.set(uuidBytes(e.actionId, 'actionId'), offset + O.actionId);
  out.set(uuidBytes(e.missionId, 'missionId'), offset + O.missionId);
  w(O.xp, 4, uintField(e.xp, 'xp'), 'xp');
  w(O.heart, 32, e.heart, 'heart');
  w(O.impactCredits, 16, e.impactCredits, 'impactCredits');
  w(O.fundLocalBps, 2, uintField(e.fund.localBps, 'fund.localBps'), 'fund.localBps');
  w(O.fundNationalBps, 2, uintField(e.fund.nationalBps, 'fund.nationalBps'), 'fund.nationalBps');
  w(O.fundGlobalBps, 2, uintField(e.fund.globalBps, 'fund.globalBps'), 'fund.globalBps');
  w(O.formulaVersion, 4, uintField(e.formulaVersion, 'formulaVersion'), 'formulaVersion');
  w(O.score, 2, uintField(e.score, 'score'), 'score');
  out.set(bytesOf(e.evidenceCommitment, 'evidenceCommitment', 32), offset + O.evidenceCommitment);
  w(O.timestamp, 8, uintField(e.timestamp, 'timestamp'), 'timestamp');
  out[offset + O.modelVersionLength] = mv.length;
  out.set(mv, offset + O.modelVersion);
  return size;
}

export function encodeEntry(e: LedgerEntry): Uint8Array {
  const out = new Uint8Array(encodedSize(e));
  encodeEntryInto(e, out, 0);
  return out;
}

/** Decodes a version-1 encoding; throws `decodeEntry: <field>: <reason>` on malformed bytes. */
export function decodeEntry(bytes: Uint8Array): LedgerEntry {
  const O = ENTRY_OFFSETS;
  const fail = (field: string, why: string): never => {
    throw new Error(`decodeEntry: ${field}: ${why}`);
  };
  if (bytes.length < 1) fail('version', 'empty input');
  if (bytes[0] !== ENTRY_VERSION) fail('version', `unsupported version ${bytes[0]}`);
  if (bytes.length < ENTRY_FIXED_SIZE) fail(fieldAt(bytes.length), `truncated at byte ${bytes.length}`);
  const mvLen = bytes[O.modelVersionLength] ?? 0;
  if (bytes.length < ENTRY_FIXED_SIZE + mvLen) fail('modelVersion', `truncated: need ${mvLen} bytes`);
  if (bytes.length > ENTRY_FIXED_SIZE + mvLen) fail('modelVersion', `${bytes.length - ENTRY_FIXED_SIZE - mvLen} trailing bytes`);
  const u = (at: number, width: number) => readUint(bytes, at, width);
  const n = (at: number, width: number) => Number(u(at, width));
  let modelVersion = '';
  try {
    modelVersion = utf8Strict.decode(bytes.subarray(O.modelVersion));
  } catch {
    fail('modelVersion', 'invalid UTF-8');
  }
  const fund = { localBps: n(O.fundLocalBps, 2), nationalBps: n(O.fundNationalBps, 2), globalBps: n(O.fundGlobalBps, 2) };
  const sum = fund.localBps + fund.nationalBps + fund.globalBps;
  if (sum !== BPS_TOTAL) fail('fund', `basis points sum to ${sum}, expected ${BPS_TOTAL}`);
  const timestamp = u(O.timestamp, 8);
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) fail('timestamp', `${timestamp} exceeds 2^53-1 ms`);
  return {
    seq: u(O.seq, 8),
    prevHash: bytes.slice(O.prevHash, O.prevHash + 32),
    player: toHex(bytes.subarray(O.player, O.player + 20)),
    actionId: uuidString(bytes.subarray(O.actionId, O.actionId + 16)),
    missionId: uuidString(bytes.subarray(O.missionId, O.missionId + 16)),
    xp: n(O.xp, 4),
    heart: u(O.heart, 32),
    impactCredits: u(O.impactCredits, 16),
    fund,
    formulaVersion: n(O.formulaVersion, 4),
    modelVersion,
    score: n(O.score, 2),
    evidenceCommitment: bytes.slice(O.evidenceCommitment, O.evidenceCommitment + 32),
    timestamp: Number(timestamp),
  };
}

/** Name of the field containing byte `offset` (for truncation errors). */
function fieldAt(offset: number): string {
  let name = 'version';
  for (const [k, at] of Object.entries(ENTRY_OFFSETS)) if (at <= offset) name = k;
  return name;
}

/**
 * entryHash = SHA-256(encoded). `prevHash` must equal the prev_hash embedded in
 * `encoded` (bytes 9..41); passing it makes the chaining explicit and checked.
 */
export function entryHash(prevHash: Uint8Array, encoded: Uint8Array): Uint8Array {
  const embedded = encoded.subarray(ENTRY_OFFSETS.prevHash, ENTRY_OFFSETS.prevHash + 32);
  if (encoded.length < ENTRY_FIXED_SIZE || !equalBytes(embedded, prevHash)) {
    throw new Error('entryHash: prevHash does not match the prev_hash inside the encoding');
  }
  return sha256(encoded);
}

export type ChainResult =
  | { ok: true; count: number; head: Uint8Array; nextSeq: bigint }
  | { ok: false; index: number; reason: string };

/**
 * Verifies a run of encoded entries: each decodes, seq increases by one from
 * `startSeq` (default 0), and each prev_hash equals the previous entryHash
 * (`startPrevHash`, default GENESIS_PREV_HASH, for the first).
 */
export function verifyChain(
  entries: Iterable<Uint8Array>,
  opts: { startPrevHash?: Uint8Array; startSeq?: bigint } = {},
): ChainResult {
  let prev = opts.startPrevHash ?? GENESIS_PREV_HASH;
  let seq = opts.startSeq ?? 0n;
  let index = 0;
  for (const encoded of entries) {
    let e: LedgerEntry;
    try {
      e = decodeEntry(encoded);
    } catch (err) {
      return { ok: false, index, reason: (err as Error).message };
    }
    if (e.seq !== seq) return { ok: false, index, reason: `seq ${e.seq}, expected ${seq}` };
    if (!equalBytes(e.prevHash, prev)) return { ok: false, index, reason: 'prev_hash does not match previous entry hash' };
    prev = sha256(encoded);
    seq += 1n;
    index += 1;
  }
  return { ok: true, count: index, head: prev, nextSeq: seq };
}
