import type { FaceResult } from '@vladmandic/human';
import type { VisionFlag } from './stage.ts';

/**
 * Liveness `live` below this on any face: the camera probably saw a screen
 * or a print, not a person. Picked on vision:eval's labelled faces (and
 * checked on a second draw of them): ~5–8 % of faces never re-photographed
 * fall below it, against ~45 % of screen and ~5 % of print re-photos, so
 * `screen_or_print_photo` stays a soft flag.
 */
export const MIN_LIVENESS = 0.3;

export interface FacesDetail extends Record<string, unknown> {
  count: number;
  /** Lowest liveness over the faces (1 when none): judged against MIN_LIVENESS. */
  liveness: number;
  /**
   * Highest spoof score (1 - antispoof real) over the faces (0 when none).
   * Recorded, not judged: on vision:eval's set it is no lower on faces never
   * re-photographed than on printed ones, and lower still on screen re-photos.
   */
  spoofScore: number;
  /** Each face's box [x, y, width, height] as fractions (0–1) of the oriented image. */
  boxes: FaceBox[];
}

export type FaceBox = [number, number, number, number];

/** Faces stage from human's face results. */
export function facesStage(faces: FaceResult[]): { flags: VisionFlag[]; detail: FacesDetail } {
  const liveness = faces.reduce((m, f) => Math.min(m, f.live ?? 1), 1);
  const spoofScore = faces.reduce((m, f) => Math.max(m, 1 - (f.real ?? 1)), 0);
  return {
    flags: liveness < MIN_LIVENESS ? ['screen_or_print_photo'] : [],
    detail: {
      count: faces.length,
      liveness: round(liveness),
      spoofScore: round(spoofScore),
      boxes: faces.map((f) => f.boxRaw.map((v) => Math.round(v * 10_000) / 10_000) as FaceBox),
    },
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;
