import type { PublicClient } from 'viem';
import { header } from './backfill.ts';
import { decodeLogs, type Source } from './decode.ts';
import { RetryableError } from './errors.ts';
import type { LogFetcher } from './fetch.ts';
import type { BlockRef, Checkpoint, Store } from './store.ts';

/** Blocks per realtime step (each needs its header). */
const STEP = 100n;

export type TailResult = { kind: 'advanced'; to: bigint; events: number } | { kind: 'idle' } | { kind: 'reorg' };

/**
 * Mirrors unfinalized blocks (cp, target] with their headers, checking that every block's parent is
 * the block we hold below it. A mismatch with our checkpoint reports 'reorg'; a mismatch inside the
 * fetched range means the chain moved while we read it (retryable).
 */
export async function tail(
  client: PublicClient,
  store: Store,
  fetcher: LogFetcher,
  sources: Source[],
  cp: Checkpoint,
  target: bigint,
): Promise<TailResult> {
  if (target <= cp.blockNumber) {
    // no new block: still notice a replaced tip (same height, other hash)
    const stored = target === cp.blockNumber ? cp.blockHash : await store.blockHash(target);
    if (stored === null) return { kind: 'idle' };
    const h = await header(client, target);
    return h.hash.toLowerCase() === stored.toLowerCase() ? { kind: 'idle' } : { kind: 'reorg' };
  }
  const to = cp.blockNumber + STEP < target ? cp.blockNumber + STEP : target;
  const numbers: bigint[] = [];
  for (let n = cp.blockNumber + 1n; n <= to; n++) numbers.push(n);
  const headers: BlockRef[] = await Promise.all(numbers.map((n) => header(client, n)));
  const first = headers[0];
  const last = headers[headers.length - 1];
  if (!first || !last) return { kind: 'idle' };
  if (first.parentHash.toLowerCase() !== cp.blockHash.toLowerCase()) return { kind: 'reorg' };
  for (let i = 1; i < headers.length; i++) {
    if (headers[i]?.parentHash !== headers[i - 1]?.hash) throw new RetryableError(`chain changed while reading block ${headers[i]?.number}`);
  }
  const logs = await fetcher.fetch(first.number, last.number);
  const hashes = new Map(headers.map((h) => [h.number, h.hash.toLowerCase()]));
  for (const log of logs) {
    if (log.blockNumber === null || hashes.get(log.blockNumber) !== log.blockHash?.toLowerCase()) {
      throw new RetryableError(`log of block ${log.blockNumber} is not on the branch just read`);
    }
  }
  const rows = decodeLogs(logs, sources);
  await store.commit({ from: cp.blockNumber, to: last, rows, blocks: headers });
  return { kind: 'advanced', to: last.number, events: rows.length };
}
