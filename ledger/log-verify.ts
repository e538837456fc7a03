/**
 * Proof verification for the RFC 6962 log, following RFC 9162 §2.1.3.2
 * (inclusion) and §2.1.4.2 (consistency) step by step. Pure functions over
 * 32-byte hashes; sizes are safe integers (arithmetic, not 32-bit bit ops).
 * Conventions shared with transparency-dev/merkle: a consistency proof from
 * size 0 is rejected (meaningless), equal sizes need an empty proof and equal
 * roots, and every hash must be exactly 32 bytes.
 */
import { equalBytes } from './bytes.ts';
import { nodeHash } from './merkle-log.ts';

const isHash = (h: Uint8Array): boolean => h.length === 32;
const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/** Root implied by an inclusion proof, or undefined if the proof is malformed for (index, size). */
export function rootFromInclusionProof(leafHash: Uint8Array, index: number, size: number, proof: readonly Uint8Array[]): Uint8Array | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return undefined; // step 1
  if (!isHash(leafHash) || !proof.every(isHash)) return undefined;
  let fn = index; // step 2
  let sn = size - 1;
  let r = leafHash; // step 3
  for (const p of proof) { // step 4
    if (sn === 0) return undefined; // 4a
    if (odd(fn) || fn === sn) { // 4b
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn); } // LSB(fn) unset: shift until set or 0
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn); // 4c
    sn = half(sn);
  }
  return sn === 0 ? r : undefined; // step 5 (sn check)
}

/** RFC 9162 §2.1.3.2: true iff `proof` proves leaf `leafHash` at `index` in the tree of `size` with head `root`. */
export function verifyInclusion(leafHash: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  const r = rootFromInclusionProof(leafHash, index, size, proof);
  return r !== undefined && isHash(root) && equalBytes(r, root);
}

/** RFC 9162 §2.1.4.2: true iff `proof` shows the tree (size2, root2) extends the tree (size1, root1). */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2)) return false;
  if (size1 < 1 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && equalBytes(root1, root2); // plain equality, as in the vectors
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (proof.length === 0) return false; // step 1
  // step 2: if size1 is an exact power of 2, prepend root1
  const path = isPow2(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1; // step 3
  let sn = size2 - 1;
  while (odd(fn)) { fn = half(fn); sn = half(sn); } // step 4
  let fr = path[0] as Uint8Array; // step 5
  let sr = fr;
  for (const c of path.slice(1)) { // step 6
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) { fn = half(fn); sn = half(sn); } // LSB(fn) unset: shift until set or 0
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return equalBytes(fr, root1) && equalBytes(sr, root2) && sn === 0; // step 7
}

function isPow2(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}
