import type { Db } from '../lib/db.ts';
import { historyFingerprint, loadHistory } from './db-history.ts';
import type { Context } from './features.ts';
import type { Fit } from './fit-job.ts';
import { fitInWorker } from './fit-in-worker.ts';
import type { Fitted } from './rank.ts';
import { loadScorer, type ScorerWeights, scorerVersion } from './scorer.ts';

export interface Snapshot extends Fitted {
  ctx: Context;
  /** scorer hash + the completions the collaborative model was fitted on. */
  version: string;
}

export interface RecommenderOptions {
  /** A snapshot younger than this is served without asking the database whether anything changed. */
  maxAgeMs?: number;
  scorer?: ScorerWeights;
  /** Where a refresh's context and fits run (default: a worker thread, so the event loop keeps serving). */
  fit?: Fit;
  /** Told when a refresh failed while a previous snapshot exists (that snapshot is served meanwhile). */
  onRefreshError?: (err: unknown) => void;
}

/**
 * The recommender of one process. The hybrid scorer's weights are committed
 * (recommend/weights.json); the per-player choice model and BPR are fitted
 * from Postgres on first use and refitted when the approved completions change
 * (the same models `npm run recommend:eval` measures; seconds on small data),
 * in a worker thread (fit-in-worker.ts). Concurrent callers share one load. A
 * failed refresh rejects when there is nothing to serve yet; otherwise the
 * previous snapshot keeps being served and the next refresh is tried once it is
 * maxAgeMs old again.
 */
export class Recommender {
  readonly scorer: ScorerWeights;
  readonly scorerVersion: string;
  private readonly maxAgeMs: number;
  private readonly fit: Fit;
  private readonly onRefreshError: (err: unknown) => void;
  private current: { snapshot: Snapshot; at: number; fingerprint: string; completions: string } | undefined;
  private loading: Promise<Snapshot> | undefined;

  constructor(private readonly db: Db, opts: RecommenderOptions = {}) {
    this.scorer = opts.scorer ?? loadScorer();
    this.scorerVersion = scorerVersion(this.scorer);
    this.maxAgeMs = opts.maxAgeMs ?? 30_000;
    this.fit = opts.fit ?? fitInWorker;
    this.onRefreshError = opts.onRefreshError ?? (() => undefined);
  }

  /** The current world and models (reloaded when the database changed, or when `playerId` is not in it yet). */
  snapshot(playerId?: string): Promise<Snapshot> {
    const c = this.current;
    if (c && Date.now() - c.at < this.maxAgeMs && (playerId === undefined || c.snapshot.ctx.profiles.has(playerId))) return Promise.resolve(c.snapshot);
    this.loading ??= this.refresh().catch((err: unknown) => {
      const prev = this.current;
      if (!prev) throw err;
      this.onRefreshError(err);
      prev.at = Date.now();
      return prev.snapshot;
    }).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async refresh(): Promise<Snapshot> {
    const fp = await historyFingerprint(this.db);
    const prev = this.current;
    if (prev && prev.fingerprint === fp.all) {
      prev.at = Date.now();
      return prev.snapshot;
    }
    const history = await loadHistory(this.db);
    const now = Date.now();
    const refit = !prev || prev.completions !== fp.completions;
    const { ctx, models } = await this.fit({ history, asOf: now + 1, refit });
    const version = `${this.scorerVersion.slice(0, 16)}.${history.completions.length}`;
    const snapshot: Snapshot = models || !prev
      ? { ctx, mf: models?.mf ?? null, choice: models?.choice ?? null, version }
      : { ctx, mf: prev.snapshot.mf, choice: prev.snapshot.choice, version: prev.snapshot.version };
    this.current = { snapshot, at: now, fingerprint: fp.all, completions: fp.completions };
    return snapshot;
  }
}
