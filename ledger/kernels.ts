/**
 * Batch kernels (hashing, plus the bulk proof writers) over flat buffers (32 bytes per node), run both in the
 * worker threads and inline for small batches. Each kernel processes an index
 * range [from, to) and writes only the outputs for that range, so disjoint
 * ranges can run concurrently on shared memory.
 */
import { createKeccak, createSHA256 } from 'hash-wasm';
import type { IHasher } from 'hash-wasm';
import { writeClaimProofs, writeLogProofs } from './proof-writers.ts';

export interface Hashers {
  sha: IHasher;
  kec: IHasher;
}

let shared: Promise<Hashers> | undefined;
/** One pair of WebAssembly hashers per thread (hash-wasm instances are not re-entrant across awaits, kernels are sync). */
export function hashers(): Promise<Hashers> {
  shared ??= Promise.all([createSHA256(), createKeccak(256)]).then(([sha, kec]) => ({ sha, kec }));
  return shared;
}

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** out[i] = SHA-256(0x00 ‖ bytes[offsets[i] .. offsets[i+1])) — RFC 6962 leaf hashes. */
export function logLeaves(h: Hashers, bytes: Uint8Array, offsets: Uint32Array, out: Uint8Array, from: number, to: number): void {
  const { sha } = h;
  for (let i = from; i < to; i++) {
    sha.init();
    sha.update(LEAF_PREFIX);
    sha.update(bytes.subarray(offsets[i] ?? 0, offsets[i + 1] ?? 0));
    out.set(sha.digest('binary'), i * 32);
  }
}

/** dst[j] = SHA-256(0x01 ‖ src[2j] ‖ src[2j+1]) for full pairs j in [from, to) — RFC 6962 interior nodes. */
export function logNodes(h: Hashers, src: Uint8Array, dst: Uint8Array, from: number, to: number): void {
  const { sha } = h;
  for (let j = from; j < to; j++) {
    sha.init();
    sha.update(NODE_PREFIX);
    sha.update(src.subarray(j * 64, j * 64 + 64));
    dst.set(sha.digest('binary'), j * 32);
  }
}

/**
 * out[i] = keccak256(keccak256(abi.encode(address, uint256))) — OpenZeppelin
 * StandardMerkleTree leaf for ['address','uint256']; addresses are 20 bytes
 * each, amounts 32-byte big-endian each.
 */
export function claimLeaves(h: Hashers, addrs: Uint8Array, amounts: Uint8Array, out: Uint8Array, from: number, to: number): void {
  const { kec } = h;
  const abi = new Uint8Array(64); // bytes 0..11 stay zero (address left-padding)
  for (let i = from; i < to; i++) {
    abi.set(addrs.subarray(i * 20, i * 20 + 20), 12);
    abi.set(amounts.subarray(i * 32, i * 32 + 32), 32);
    kec.init();
    kec.update(abi);
    const inner = kec.digest('binary');
    kec.init();
    kec.update(inner);
    out.set(kec.digest('binary'), i * 32);
  }
}

/**
 * In-place heap layout (OpenZeppelin core.makeMerkleTree): for t in [from, to),
 * tree[t] = keccak256(min(c1,c2) ‖ max(c1,c2)) with children c1 = tree[2t+1],
 * c2 = tree[2t+2], compared as big-endian unsigned integers. Children must be
 * final before the call.
 */
export function claimNodes(h: Hashers, tree: Uint8Array, from: number, to: number): void {
  const { kec } = h;
  const pair = new Uint8Array(64);
  for (let t = from; t < to; t++) {
    const a = (2 * t + 1) * 32;
    const b = a + 32;
    let cmp = 0;
    for (let k = 0; k < 32 && cmp === 0; k++) cmp = (tree[a + k] ?? 0) - (tree[b + k] ?? 0);
    if (cmp <= 0) {
      kec.init();
      kec.update(tree.subarray(a, a + 64));
    } else {
      pair.set(tree.subarray(b, b + 32), 0);
      pair.set(tree.subarray(a, a + 32), 32);
      kec.init();
      kec.update(pair);
    }
    tree.set(kec.digest('binary'), t * 32);
  }
}

export type Job =
  | { kind: 'logLeaves'; bytes: Uint8Array; offsets: Uint32Array; out: Uint8Array }
  | { kind: 'logNodes'; src: Uint8Array; dst: Uint8Array }
  | { kind: 'claimLeaves'; addrs: Uint8Array; amounts: Uint8Array; out: Uint8Array }
  | { kind: 'claimNodes'; tree: Uint8Array; base: number }
  | { kind: 'logProofs'; levels: Uint8Array[]; first: number; out: Uint8Array; lengths: Uint8Array }
  | { kind: 'claimProofs'; tree: Uint8Array; treeIndexOf: Uint32Array; depth: number; first: number; out: Uint8Array; lengths: Uint8Array };

/** Runs `job` over item indices [from, to) (claimNodes: tree indices base+from .. base+to). */
export function runJob(h: Hashers, job: Job, from: number, to: number): void {
  switch (job.kind) {
    case 'logLeaves': return logLeaves(h, job.bytes, job.offsets, job.out, from, to);
    case 'logNodes': return logNodes(h, job.src, job.dst, from, to);
    case 'claimLeaves': return claimLeaves(h, job.addrs, job.amounts, job.out, from, to);
    case 'claimNodes': return claimNodes(h, job.tree, job.base + from, job.base + to);
    case 'logProofs': return writeLogProofs(job.levels, job.first, from, to, job.out, job.lengths);
    case 'claimProofs': return writeClaimProofs(job.tree, job.treeIndexOf, job.depth, job.first, from, to, job.out, job.lengths);
  }
}
