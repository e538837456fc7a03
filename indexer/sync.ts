import type pg from 'pg';
import type { PublicClient } from 'viem';
import type { Deployments } from '../lib/chain.ts';
import type { Logger } from '../lib/logger.ts';
import { backfill, header } from './backfill.ts';
import { sourcesOf, type Source } from './decode.ts';
import { LogFetcher } from './fetch.ts';
import { tail } from './realtime.ts';
import { handleReorg } from './reorg.ts';
import { Store, type Checkpoint } from './store.ts';

export interface IndexerOptions {
  client: PublicClient;
  /** Client for eth_getLogs; give it a non-batching transport (batched responses add up past size limits). */
  logsClient?: PublicClient;
  pool: pg.Pool;
  deployments: Deployments;
  confirmations: number;
  finalityDepth: number;
  maxBlockRange: number;
  concurrency: number;
  logger?: Logger;
}

/** What the API shows about the mirror's freshness. */
export interface IndexerStatus {
  chainId: number;
  head: bigint | null;
  indexedBlock: bigint | null;
  lag: bigint | null;
  eventsPerSecond: number;
  reorgs: number;
}

const RATE_WINDOW_MS = 60_000;

export class Indexer {
  readonly store: Store;
  readonly sources: Source[];
  private readonly fetcher: LogFetcher;
  private head: bigint | null = null;
  private indexed: bigint | null = null;
  private reorgs = 0;
  private readonly commits: { at: number; events: number }[] = [];

  constructor(private readonly o: IndexerOptions) {
    this.sources = sourcesOf(o.deployments);
    const find = (name: Source['name']) => this.sources.find((s) => s.name === name)!.address;
    this.store = new Store(
      o.pool,
      { chainId: o.deployments.chainId, token: find('HeartToken'), anchor: find('LedgerAnchor'), pool: find('SponsorPool') },
      o.finalityDepth,
    );
    this.fetcher = new LogFetcher(o.logsClient ?? o.client, this.sources.map((s) => s.address), BigInt(o.maxBlockRange));
  }

  private record(events: number, to: bigint) {
    const now = Date.now();
    this.commits.push({ at: now, events });
    while (this.commits.length && this.commits[0]!.at < now - RATE_WINDOW_MS) this.commits.shift();
    this.indexed = to;
  }

  status(): IndexerStatus {
    const now = Date.now();
    const recent = this.commits.filter((c) => c.at >= now - RATE_WINDOW_MS);
    const first = recent[0];
    const span = first ? Math.max(now - first.at, 1000) / 1000 : 1;
    return {
      chainId: this.store.chainId,
      head: this.head,
      indexedBlock: this.indexed,
      lag: this.head !== null && this.indexed !== null ? this.head - this.indexed : null,
      eventsPerSecond: recent.reduce((s, c) => s + c.events, 0) / span,
      reorgs: this.reorgs,
    };
  }

  private async startCheckpoint(): Promise<Checkpoint> {
    const saved = await this.store.checkpoint();
    if (saved) return saved;
    const start = this.sources.reduce((m, s) => (s.startBlock < m ? s.startBlock : m), this.sources[0]!.startBlock);
    const before = start > 0n ? start - 1n : 0n;
    const h = await header(this.o.client, before);
    return { blockNumber: before, blockHash: h.hash };
  }

  /** One step towards the head. Returns true when it advanced (call again at once), false when caught up. */
  async syncOnce(): Promise<boolean> {
    const cp = await this.startCheckpoint();
    this.indexed ??= cp.blockNumber;
    const head = await this.o.client.getBlockNumber({ cacheTime: 0 });
    this.head = head;
    const target = head - BigInt(this.o.confirmations);
    const finalized = target - BigInt(this.o.finalityDepth);
    if (cp.blockNumber < finalized) {
      await backfill(
        { client: this.o.client, store: this.store, fetcher: this.fetcher, sources: this.sources, concurrency: this.o.concurrency, onCommit: (e, to) => this.record(e, to) },
        cp.blockNumber,
        finalized,
      );
      return true;
    }
    const r = await tail(this.o.client, this.store, this.fetcher, this.sources, cp, target);
    if (r.kind === 'advanced') {
      this.record(r.events, r.to);
      return true;
    }
    if (r.kind === 'reorg') {
      const result = await handleReorg(this.o.client, this.store, cp, head);
      this.reorgs++;
      this.indexed = result.ancestor;
      this.o.logger?.warn({ chainId: this.store.chainId, ...result, ancestor: result.ancestor.toString() }, 'reorg: rolled back to common ancestor');
      return true;
    }
    return false;
  }

  /** Syncs until caught up with the head (minus confirmations). */
  async syncToHead(): Promise<void> {
    while (await this.syncOnce());
  }
}
