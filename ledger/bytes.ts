/**
 * Byte helpers shared by the ledger modules. All multi-byte integers in the
 * ledger are big-endian (network order); all hex strings are lowercase with a
 * `0x` prefix on output and accept either case (prefix optional) on input.
 */

/** A 32-byte SHA-256 / Keccak-256 digest. */
export const HASH_SIZE = 32;

export function toHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** Parses hex (with or without 0x). Throws naming `field` on malformed input or wrong length. */
export function fromHex(hex: string, field = 'hex', length?: number): Uint8Array {
  const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) throw new Error(`${field}: not a hex string`);
  if (length !== undefined && body.length !== length * 2) {
    throw new Error(`${field}: expected ${length} bytes, got ${body.length / 2}`);
  }
  return new Uint8Array(Buffer.from(body, 'hex'));
}

/** Accepts bytes or hex; returns bytes of exactly `length` (if given). */
export function bytesOf(value: Uint8Array | string, field: string, length?: number): Uint8Array {
  if (typeof value === 'string') return fromHex(value, field, length);
  if (length !== undefined && value.length !== length) {
    throw new Error(`${field}: expected ${length} bytes, got ${value.length}`);
  }
  return value;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Writes unsigned `value` big-endian into out[offset, offset+width). Throws naming `field` if it does not fit. */
export function writeUint(out: Uint8Array, offset: number, width: number, value: bigint, field: string): void {
  if (value < 0n || value >> BigInt(width * 8) !== 0n) {
    throw new Error(`${field}: ${value} does not fit in uint${width * 8}`);
  }
  let v = value;
  for (let i = offset + width - 1; i >= offset; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** Reads an unsigned big-endian integer of `width` bytes. Caller guarantees bounds. */
export function readUint(bytes: Uint8Array, offset: number, width: number): bigint {
  let v = 0n;
  for (let i = offset; i < offset + width; i++) v = (v << 8n) | BigInt(bytes[i] ?? 0);
  return v;
}

/** Allocates a zeroed Uint8Array backed by a SharedArrayBuffer (shareable with workers). */
export function sharedBytes(length: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(length));
}

/** Returns `bytes` if already shared and 4-byte aligned, otherwise a shared copy. */
export function asShared(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer && bytes.byteOffset % 4 === 0) return bytes;
  const out = sharedBytes(bytes.length);
  out.set(bytes);
  return out;
}
