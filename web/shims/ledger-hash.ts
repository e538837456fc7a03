// Browser replacement of ledger/hash.ts (which uses node:crypto): the same synchronous
// functions over @noble/hashes through viem. Swapped in by the esbuild plugin in api/routes/web.ts.
import { keccak256 as viemKeccak, sha256 as viemSha256 } from 'viem';
import { concatBytes } from '../../ledger/bytes.ts';

export function sha256(...parts: readonly Uint8Array[]): Uint8Array {
  return viemSha256(concatBytes(...parts), 'bytes');
}

export function keccak256(data: Uint8Array): Uint8Array {
  return viemKeccak(data, 'bytes');
}
