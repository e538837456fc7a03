import type { ProofContext, RuleResult } from './context.ts';
import { features } from './features.ts';
import { predict, type Weights } from './model/net.ts';
import { runRules, type RuleOptions } from './rules/index.ts';
import { score, type Score, type ScoreThresholds } from './score.ts';

export interface AssessDeps {
  weights: Weights;
  modelVersion: string;
  rules: RuleOptions;
  thresholds: ScoreThresholds;
}

export interface Assessment extends Score {
  rules: RuleResult[];
  /** The model's cheat probability, 0–1. */
  modelScore: number;
  modelVersion: string;
}

/**
 * Rules, model and score of one proof context: pure, the same for the worker and the internal HTTP
 * API. `extraRules` are results computed elsewhere (the vision stages) that count like rules.
 */
export function assess(deps: AssessDeps, ctx: ProofContext, extraRules: readonly RuleResult[] = []): Assessment {
  const rules = [...runRules(ctx, deps.rules), ...extraRules];
  const [cheat] = predict(deps.weights, [features(ctx)]);
  const modelScore = cheat ?? 1;
  return { ...score(rules, modelScore, deps.thresholds), rules, modelScore, modelVersion: deps.modelVersion };
}
