// Node's native SHA-256 behind the async Sha256 interface (servers, tests, benchmarks); browsers use subtleSha256.
import { createHash } from 'node:crypto';
import { TreeHasher } from './hash.ts';
import type { Sha256 } from './hash.ts';

export const nodeSha256: Sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return Promise.resolve(new Uint8Array(h.digest()));
};

export const nodeHasher = (): TreeHasher => new TreeHasher(nodeSha256);
