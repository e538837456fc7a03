/**
 * Synchronous one-shot hashes for small inputs (verification, single proofs,
 * entry chaining). Bulk tree building uses the batched WebAssembly kernels in
 * kernels.ts instead. SHA-256 comes from Node's native crypto, Keccak-256 from
 * viem (@noble/hashes).
 */
import { createHash } from 'node:crypto';
import { keccak256 as viemKeccak } from 'viem';

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function keccak256(data: Uint8Array): Uint8Array {
  return viemKeccak(data, 'bytes');
}
