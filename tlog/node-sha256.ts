// Node's native SHA-256 behind the async Sha256 interface (servers, tests, benchmarks); browsers use subtleSha256.
import { createHash } from 'node:crypto';
import { asShared, sharedBytes } from '../ledger/bytes.ts';
import { defaultHashPool } from '../ledger/hash-pool.ts';
import { hashLogLeaves, packEntries } from '../ledger/merkle-log.ts';
import { TreeHasher } from './hash.ts';
import type { Sha256 } from './hash.ts';

const NODE = Uint8Array.of(0x01);

function sha256Sync(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export const nodeSha256: Sha256 = (...parts) => Promise.resolve(sha256Sync(...parts));

/**
 * TreeHasher for Node: bulk leaf hashes and tile roots run on the ledger's
 * worker pool (WebAssembly kernels on every core), and perfectRoot hashes a
 * whole tile synchronously: one promise per tile instead of one per node.
 */
class NodeTreeHasher extends TreeHasher {
  constructor() {
    super(nodeSha256);
  }

  override leaves(entries: readonly Uint8Array[]): Promise<Uint8Array> {
    return hashLogLeaves(packEntries(entries), defaultHashPool());
  }

  /** Halves the whole buffer log2(width) times with the pool: pairs never straddle two subtrees. */
  override async perfectRoots(hashes: Uint8Array, width: number): Promise<Uint8Array> {
    if (width < 1 || (width & (width - 1)) !== 0 || hashes.length % (width * 32) !== 0) throw new Error(`perfectRoots: ${hashes.length / 32} hashes are not whole subtrees of ${width}`);
    let src = asShared(hashes);
    for (let w = width; w > 1; w /= 2) {
      const dst = sharedBytes(src.length / 2);
      await defaultHashPool().run({ kind: 'logNodes', src, dst }, src.length / 64);
      src = dst;
    }
    return src;
  }

  override perfectRoot(hashes: Uint8Array): Promise<Uint8Array> {
    const n = hashes.length / 32;
    if (n < 1 || !Number.isInteger(n) || (n & (n - 1)) !== 0) return Promise.reject(new Error(`perfectRoot: ${n} hashes is not a power of two`));
    let level = hashes;
    for (let width = n; width > 1; width /= 2) {
      const next = new Uint8Array(width * 16);
      for (let i = 0; i < width; i += 2) next.set(sha256Sync(NODE, level.subarray(i * 32, i * 32 + 64)), i * 16);
      level = next;
    }
    return Promise.resolve(level.slice(0, 32));
  }
}

export const nodeHasher = (): TreeHasher => new NodeTreeHasher();
