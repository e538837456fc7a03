import type { Hex, PublicClient } from 'viem';
import { header } from './backfill.ts';
import { NonRetryableError, RetryableError } from './errors.ts';
import type { Checkpoint, Store } from './store.ts';

export interface ReorgResult {
  ancestor: bigint;
  depth: number;
  removedEvents: number;
}

/**
 * Walks back from the checkpoint comparing stored block hashes with the chain until they agree
 * (the common ancestor), then undoes everything above it in one transaction. A reorg deeper
 * than the finality depth, or past the kept headers, is not repairable here.
 */
export async function handleReorg(client: PublicClient, store: Store, cp: Checkpoint, head: bigint): Promise<ReorgResult> {
  const floor = cp.blockNumber - BigInt(store.finalityDepth);
  const startAt = head < cp.blockNumber ? head : cp.blockNumber;
  for (let n = startAt; n >= floor && n >= 0n; n--) {
    const stored: Hex | null = n === cp.blockNumber ? cp.blockHash : await store.blockHash(n);
    if (stored === null) {
      throw new NonRetryableError(
        `chain ${store.chainId}: reorg reaches block ${n}, below the kept block headers (checkpoint ${cp.blockNumber}); re-index from scratch`,
      );
    }
    const canonical = await header(client, n);
    if (canonical.hash.toLowerCase() === stored.toLowerCase()) {
      // the checkpoint itself is canonical: the child's parent hash disagreed only transiently (or the
      // node serves inconsistent headers); rolling back nothing would loop, so retry later instead
      if (n === cp.blockNumber) throw new RetryableError(`chain ${store.chainId}: block ${n + 1n} does not link to canonical block ${n}`);
      const removedEvents = await store.rollback(n, canonical.hash);
      return { ancestor: n, depth: Number(cp.blockNumber - n), removedEvents };
    }
  }
  throw new NonRetryableError(
    `chain ${store.chainId}: reorg deeper than the finality depth (${store.finalityDepth} blocks) below checkpoint ${cp.blockNumber}; ` +
      'mirrored data may be wrong — re-index from scratch or raise INDEXER_FINALITY_DEPTH',
  );
}
