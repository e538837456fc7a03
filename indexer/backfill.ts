import type { PublicClient } from 'viem';
import { decodeLogs, type Source } from './decode.ts';
import type { LogFetcher } from './fetch.ts';
import type { BlockRef, Store } from './store.ts';

export interface BackfillContext {
  client: PublicClient;
  store: Store;
  fetcher: LogFetcher;
  sources: Source[];
  concurrency: number;
  onCommit?: (events: number, to: bigint) => void;
}

export async function header(client: PublicClient, number: bigint): Promise<BlockRef> {
  const b = await client.getBlock({ blockNumber: number });
  if (b.hash === null || b.number === null) throw new Error(`block ${number} is pending`);
  return { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp };
}

type Fetched = { from: bigint; to: BlockRef; logs: Awaited<ReturnType<LogFetcher['fetch']>> };

/**
 * Mirrors the finalized blocks (after, end]: up to `concurrency` getLogs requests in flight,
 * results committed strictly in block order, each range with its checkpoint in one transaction.
 */
export async function backfill(ctx: BackfillContext, after: bigint, end: bigint): Promise<void> {
  const inflight: Promise<{ ok: Fetched } | { err: unknown }>[] = [];
  let next = after + 1n;
  while (next <= end || inflight.length) {
    while (inflight.length < ctx.concurrency && next <= end) {
      const from = next;
      const to = ctx.fetcher.nextRange(from, end);
      next = to + 1n;
      inflight.push(
        // header after the logs: a batching transport would otherwise fail both with an oversized response
        ctx.fetcher.fetch(from, to).then(async (logs) => ({ logs, h: await header(ctx.client, to) })).then(
          ({ logs, h }) => ({ ok: { from, to: h, logs } }),
          (err: unknown) => ({ err }),
        ),
      );
    }
    const result = await inflight.shift();
    if (!result) break;
    if ('err' in result) {
      await Promise.allSettled(inflight);
      throw result.err;
    }
    const { from, to, logs } = result.ok;
    const rows = decodeLogs(logs, ctx.sources);
    await ctx.store.commit({ from: from - 1n, to, rows, blocks: [] });
    ctx.onCommit?.(rows.length, to.number);
  }
}
