// RFC 6962 Merkle tree (SHA-256) for tests and benchmarks: tree heads, audit paths, consistency proofs.
import { createHash } from 'node:crypto';
import type { Hex } from 'viem';

export function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export const hashLeaf = (data: Uint8Array): Buffer => sha256(LEAF, data);
export const hashChildren = (l: Uint8Array, r: Uint8Array): Buffer => sha256(NODE, l, r);
export const toHex = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString('hex')}`;

/** Largest power of two strictly smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** An append-only RFC 6962 tree over leaf hashes, caching complete aligned subtrees level by level. */
export class Rfc6962Tree {
  private readonly levels: Buffer[][];

  constructor(leafHashes: Buffer[]) {
    this.levels = [leafHashes];
    let level = leafHashes;
    while (level.length > 1) {
      const next: Buffer[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(hashChildren(level[i]!, level[i + 1]!));
      this.levels.push(next);
      level = next;
    }
  }

  static fromEntries(entries: Uint8Array[]): Rfc6962Tree {
    return new Rfc6962Tree(entries.map(hashLeaf));
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  /** MTH(D[lo:hi]). */
  hash(lo: number, hi: number): Buffer {
    const n = hi - lo;
    if (n === 0) return sha256();
    if ((n & (n - 1)) === 0 && lo % n === 0) return this.levels[Math.log2(n)]![lo / n]!;
    const k = split(n);
    return hashChildren(this.hash(lo, lo + k), this.hash(lo + k, hi));
  }

  root(size = this.size): Hex {
    return toHex(this.hash(0, size));
  }

  /** PATH(m, D[0:size]) — the inclusion proof of leaf m. */
  inclusionProof(m: number, size = this.size): Hex[] {
    const out: Buffer[] = [];
    const path = (idx: number, lo: number, hi: number): void => {
      const n = hi - lo;
      if (n <= 1) return;
      const k = split(n);
      if (idx < k) {
        path(idx, lo, lo + k);
        out.push(this.hash(lo + k, hi));
      } else {
        path(idx - k, lo + k, hi);
        out.push(this.hash(lo, lo + k));
      }
    };
    path(m, 0, size);
    return out.map(toHex);
  }

  /** PROOF(m, D[0:n]) — the consistency proof from size m to size n. */
  consistencyProof(m: number, n = this.size): Hex[] {
    const out: Buffer[] = [];
    const sub = (mm: number, lo: number, hi: number, complete: boolean): void => {
      const nn = hi - lo;
      if (mm === nn) {
        if (!complete) out.push(this.hash(lo, hi));
        return;
      }
      const k = split(nn);
      if (mm <= k) {
        sub(mm, lo, lo + k, complete);
        out.push(this.hash(lo + k, hi));
      } else {
        sub(mm - k, lo + k, hi, false);
        out.push(this.hash(lo, lo + k));
      }
    };
    if (m > 0 && m < n) sub(m, 0, n, true);
    return out.map(toHex);
  }
}
