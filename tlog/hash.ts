/**
 * RFC 6962 tree hashing over an injectable SHA-256, so the same tile and proof
 * code runs in Node (native crypto, fast) and in a browser (crypto.subtle).
 * Browser-safe: no Node imports. All hashes are 32-byte Uint8Arrays.
 */

/** SHA-256 of the concatenation of `parts`. */
export type Sha256 = (...parts: Uint8Array[]) => Promise<Uint8Array>;

// Byte helpers are the ledger's own (browser-safe, no Node imports).
import { concatBytes as concat, equalBytes } from '../ledger/bytes.ts';

export { concat, equalBytes };

/** WebCrypto SHA-256 (browser and Node ≥ 20). */
export const subtleSha256: Sha256 = async (...parts) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', (parts.length === 1 ? parts[0] as Uint8Array : concat(...parts)) as Uint8Array<ArrayBuffer>));

const LEAF = Uint8Array.of(0x00);
const NODE = Uint8Array.of(0x01);

export class TreeHasher {
  constructor(readonly sha256: Sha256 = subtleSha256) {}

  leaf(entry: Uint8Array): Promise<Uint8Array> {
    return this.sha256(LEAF, entry);
  }

  node(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
    return this.sha256(NODE, left, right);
  }

  /** MTH of the empty tree: SHA-256(""). */
  empty(): Promise<Uint8Array> {
    return this.sha256();
  }

  /** Leaf hashes of `entries`, concatenated (32 bytes each). Bulk backends override it. */
  async leaves(entries: readonly Uint8Array[]): Promise<Uint8Array> {
    return concat(...await Promise.all(entries.map((e) => this.leaf(e))));
  }

  /** Roots of the consecutive perfect subtrees of `width` hashes each in `hashes`, concatenated. Bulk backends override it. */
  async perfectRoots(hashes: Uint8Array, width: number): Promise<Uint8Array> {
    const out = new Uint8Array(hashes.length / width);
    for (let o = 0, k = 0; o < hashes.length; o += width * 32, k += 32) out.set(await this.perfectRoot(hashes.subarray(o, o + width * 32)), k);
    return out;
  }

  /**
   * Root of the perfect subtree whose leaves are the 2^k concatenated 32-byte
   * hashes in `hashes` (one level hashed at a time, in parallel).
   */
  async perfectRoot(hashes: Uint8Array): Promise<Uint8Array> {
    const n = hashes.length / 32;
    if (n < 1 || !Number.isInteger(n) || (n & (n - 1)) !== 0) throw new Error(`perfectRoot: ${n} hashes is not a power of two`);
    let level: Uint8Array[] = [];
    for (let i = 0; i < n; i++) level.push(hashes.subarray(i * 32, i * 32 + 32));
    while (level.length > 1) {
      const next: Promise<Uint8Array>[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(this.node(level[i] as Uint8Array, level[i + 1] as Uint8Array));
      level = await Promise.all(next);
    }
    return level[0] as Uint8Array;
  }
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Strict standard base64 (RFC 4648 §4, padded); throws on anything else. */
export function fromBase64(text: string): Uint8Array {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) throw new Error('not standard base64');
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
