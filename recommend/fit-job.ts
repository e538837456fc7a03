import { type ChoiceModel, fitChoiceModel } from './choice.ts';
import { buildContext, type Context } from './features.ts';
import type { History } from './history.ts';
import type { MfModel } from './mf.ts';

/**
 * What one refresh of the recommender computes from the loaded history: the
 * context as of `asOf` and, when `refit` (approved completions changed), the
 * choice model and BPR. Plain data in and out, so it can run in a worker
 * thread (fit-in-worker.ts) or here.
 */
export interface FitJob {
  history: History;
  asOf: number;
  refit: boolean;
}

export interface FitResult {
  ctx: Context;
  /** Both models when the job asked for a refit (each null without completions), else null: keep the previous ones. */
  models: { mf: MfModel | null; choice: ChoiceModel | null } | null;
}

/** Runs a refresh's job on the calling thread (seconds of CPU at ~10k completions). */
export type Fit = (job: FitJob) => Promise<FitResult>;

export const fitOnThisThread: Fit = async ({ history, asOf, refit }) => {
  const ctx = buildContext(history, asOf);
  if (!refit) return { ctx, models: null };
  // BPR's module loads TF.js (~0.5 s of CPU in a fresh worker): only a refit needs it.
  const { trainMf } = await import('./mf.ts');
  const mf = history.completions.length ? await trainMf(history.completions, { missions: ctx.missions }) : null;
  const choice = history.completions.length ? fitChoiceModel(ctx) : null;
  return { ctx, models: { mf, choice } };
};
