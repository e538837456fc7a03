import type { RuleResult } from './context.ts';

export interface ScoreThresholds {
  /** Authenticity at or above which a proof without hard flags is approved. */
  approveAt: number;
  /** Authenticity at or below which a proof is rejected. */
  rejectAt: number;
  /** Model cheat probability at or above which a hard flag means reject rather than review. */
  hardRejectModel: number;
}

/** Tuned on a validation simulation (seed 3), not on the eval seed. */
export const DEFAULT_THRESHOLDS: ScoreThresholds = { approveAt: 40, rejectAt: 20, hardRejectModel: 0.5 };

export interface Score {
  authenticity: number;
  confidence: number;
  flags: string[];
  decision: 'approve' | 'reject' | 'review';
}

const HARD_PENALTY = 0.35;
const SOFT_PENALTY = 0.8;

/**
 * Rule results + model cheat probability → authenticity 0–100, confidence
 * 0–1, flags (failed rules, hard first) and a decision. A hard flag never
 * approves: reject when the model agrees, otherwise human review.
 */
export function score(rules: RuleResult[], cheatProbability: number, t: ScoreThresholds = DEFAULT_THRESHOLDS): Score {
  const p = Math.min(Math.max(Number.isFinite(cheatProbability) ? cheatProbability : 1, 0), 1);
  const failed = rules.filter((r) => !r.passed);
  const hard = failed.filter((r) => r.severity === 'hard');
  const soft = failed.filter((r) => r.severity === 'soft');
  const raw = 100 * (1 - p) * HARD_PENALTY ** hard.length * SOFT_PENALTY ** soft.length;
  const authenticity = Math.round(Math.min(Math.max(raw, 0), 100));
  let decision: Score['decision'];
  if (hard.length > 0) decision = p >= t.hardRejectModel || hard.length >= 2 ? 'reject' : 'review';
  else if (authenticity >= t.approveAt) decision = 'approve';
  else if (authenticity <= t.rejectAt) decision = 'reject';
  else decision = 'review';
  // Confident when rules and model agree and the score is far from the decision boundaries.
  const modelCertainty = Math.abs(p - 0.5) * 2;
  const agree = (failed.length > 0) === (p >= 0.5);
  const confidence = Math.round(Math.min(1, modelCertainty * (agree ? 1 : 0.5) + (hard.length > 0 && p >= 0.5 ? 0.1 : 0)) * 1000) / 1000;
  const flags = [...hard, ...soft].map((r) => `${r.severity}:${r.name}`);
  return { authenticity, confidence, flags, decision };
}
