import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FEATURE_NAMES, type FeatureName } from './features.ts';

/**
 * The hybrid scorer: a linear model (conditional logit) over the standardised pair features
 * (the collaborative score is one of them). Its weights are learnt offline on
 * simulated histories (`npm run recommend:train`) and committed; unknown
 * feature values (NaN) count as the average, i.e. contribute nothing.
 */
export interface ScorerWeights {
  features: string[];
  mean: number[];
  std: number[];
  weights: number[];
  bias: number;
  /** The cold-start model: COLD_FEATURES only (zero elsewhere), learnt on every player. */
  coldWeights: number[];
  coldBias: number;
}

/** Features a player without any completion is scored on (their `choice` is the population's utility). */
export const COLD_FEATURES: readonly FeatureName[] = ['choice', 'distance', 'popularity', 'trending', 'local_popularity'];

/** The scorer for a player with no completions. */
export const coldScorer = (w: ScorerWeights): ScorerWeights => ({ ...w, weights: w.coldWeights, bias: w.coldBias });

export const SCORER_URL = new URL('./weights.json', import.meta.url);

/** Scorer version: SHA-256 of the weights' canonical JSON. */
export const scorerVersion = (w: ScorerWeights) => createHash('sha256').update(JSON.stringify(w)).digest('hex');

export function loadScorer(url: URL = SCORER_URL): ScorerWeights {
  const w = JSON.parse(readFileSync(url, 'utf8')) as ScorerWeights;
  if (w.features.join(',') !== FEATURE_NAMES.join(',')) throw new Error('recommend/weights.json was trained on other features; run npm run recommend:train');
  return w;
}

/** Standardised features, NaN → 0. */
export const standardise = (w: ScorerWeights, x: readonly number[]) =>
  x.map((v, k) => (Number.isFinite(v) ? (v - (w.mean[k] ?? 0)) / (w.std[k] || 1) : 0));

/** Per-feature contribution to the logit (used for the reasons). */
export const contributions = (w: ScorerWeights, x: readonly number[]) => standardise(w, x).map((z, k) => z * (w.weights[k] ?? 0));

export const logit = (w: ScorerWeights, x: readonly number[]) => contributions(w, x).reduce((a, b) => a + b, w.bias);

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
