import type { Db } from '../lib/db.ts';
import { historyFingerprint, loadHistory } from './db-history.ts';
import { buildContext, type Context } from './features.ts';
import { fitChoiceModel } from './choice.ts';
import { trainMf } from './mf.ts';
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
}

/**
 * The recommender of one process. The hybrid scorer's weights are committed
 * (recommend/weights.json); the per-player choice model and BPR are fitted
 * from Postgres on first use and refitted when the approved completions change
 * (the same models `npm run recommend:eval` measures; seconds on small data). Concurrent callers share
 * one load.
 */
export class Recommender {
  readonly scorer: ScorerWeights;
  readonly scorerVersion: string;
  private readonly maxAgeMs: number;
  private current: { snapshot: Snapshot; at: number; fingerprint: string; completions: string } | undefined;
  private loading: Promise<Snapshot> | undefined;

  constructor(private readonly db: Db, opts: RecommenderOptions = {}) {
    this.scorer = opts.scorer ?? loadScorer();
    this.scorerVersion = scorerVersion(this.scorer);
    this.maxAgeMs = opts.maxAgeMs ?? 30_000;
  }

  /** The current world and models (reloaded when the database changed, or when `playerId` is not in it yet). */
  snapshot(playerId?: string): Promise<Snapshot> {
    const c = this.current;
    if (c && Date.now() - c.at < this.maxAgeMs && (playerId === undefined || c.snapshot.ctx.profiles.has(playerId))) return Promise.resolve(c.snapshot);
    this.loading ??= this.refresh().finally(() => {
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
    const ctx = buildContext(history, now + 1);
    const refit = !prev || prev.completions !== fp.completions;
    const mf = refit ? (history.completions.length ? await trainMf(history.completions, { missions: ctx.missions }) : null) : prev.snapshot.mf;
    const choice = refit ? (history.completions.length ? fitChoiceModel(ctx) : null) : prev.snapshot.choice;
    const version = `${this.scorerVersion.slice(0, 16)}.${history.completions.length}`;
    const snapshot: Snapshot = { ctx, mf, choice, version: refit ? version : prev.snapshot.version };
    this.current = { snapshot, at: now, fingerprint: fp.all, completions: fp.completions };
    return snapshot;
  }
}
