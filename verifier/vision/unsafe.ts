import type { PredictionType } from 'nsfwjs/core';
import type { VisionFlag } from './stage.ts';

/** Porn + Hentai probability at or above which a photo is unsafe content (rejected). */
export const UNSAFE_THRESHOLD = 0.7;

export interface UnsafeDetail extends Record<string, unknown> {
  /** Porn + Hentai probability. */
  score: number;
  /** Every nsfwjs class with its probability. */
  classes: Record<string, number>;
}

/** Unsafe-content stage from nsfwjs predictions (all five classes). */
export function unsafeStage(predictions: PredictionType[]): { flags: VisionFlag[]; detail: UnsafeDetail } {
  const classes: Record<string, number> = {};
  for (const p of predictions) classes[p.className] = Math.round(p.probability * 1000) / 1000;
  const score = Math.round(((classes.Porn ?? 0) + (classes.Hentai ?? 0)) * 1000) / 1000;
  return { flags: score >= UNSAFE_THRESHOLD ? ['unsafe_content'] : [], detail: { score, classes } };
}
