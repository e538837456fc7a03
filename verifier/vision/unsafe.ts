import type { PredictionType } from 'nsfwjs/core';
import type { VisionFlag } from './stage.ts';

/** Porn + Hentai probability at or above which a photo is unsafe content (rejected). */
export const UNSAFE_THRESHOLD = 0.7;

/** nsfwjs's classes in the order of its MobileNetV2's outputs (nsfwjs NSFW_CLASSES, which its exports map does not expose). */
export const NSFW_CLASS_NAMES: readonly PredictionType['className'][] = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'];

export interface UnsafeDetail extends Record<string, unknown> {
  /** Porn + Hentai probability. */
  score: number;
  /** Every nsfwjs class with its probability. */
  classes: Record<string, number>;
}

/** The network's class probabilities (output order) as nsfwjs predictions, most probable first, as nsfwjs classify() gives them. */
export function predictionsOf(probabilities: Float32Array): PredictionType[] {
  if (probabilities.length !== NSFW_CLASS_NAMES.length) throw new Error(`${probabilities.length} class probabilities, not ${NSFW_CLASS_NAMES.length}`);
  return NSFW_CLASS_NAMES.map((className, i) => ({ className, probability: probabilities[i] ?? 0 })).sort((a, b) => b.probability - a.probability);
}

/** Unsafe-content stage from nsfwjs predictions (all five classes). */
export function unsafeStage(predictions: PredictionType[]): { flags: VisionFlag[]; detail: UnsafeDetail } {
  const classes: Record<string, number> = {};
  for (const p of predictions) classes[p.className] = Math.round(p.probability * 1000) / 1000;
  const score = Math.round(((classes.Porn ?? 0) + (classes.Hentai ?? 0)) * 1000) / 1000;
  return { flags: score >= UNSAFE_THRESHOLD ? ['unsafe_content'] : [], detail: { score, classes } };
}
