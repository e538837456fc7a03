import type { FaceResult } from '@vladmandic/human';
import type { VisionFlag } from './stage.ts';

/** Antispoof `real` / liveness `live` below this on any face: the camera saw a screen or a print, not a person. */
export const SPOOF_THRESHOLD = 0.5;

export interface FacesDetail extends Record<string, unknown> {
  count: number;
  /** Lowest liveness over the faces (1 when none). */
  liveness: number;
  /** Highest spoof score (1 - antispoof real) over the faces (0 when none). */
  spoofScore: number;
  /** Each face's box [x, y, width, height] as fractions (0–1) of the oriented image. */
  boxes: FaceBox[];
}

export type FaceBox = [number, number, number, number];

/** Faces stage from human's face results. */
export function facesStage(faces: FaceResult[]): { flags: VisionFlag[]; detail: FacesDetail } {
  const liveness = faces.reduce((m, f) => Math.min(m, f.live ?? 1), 1);
  const spoofScore = faces.reduce((m, f) => Math.max(m, 1 - (f.real ?? 1)), 0);
  const spoofed = faces.length > 0 && (spoofScore > 1 - SPOOF_THRESHOLD || liveness < SPOOF_THRESHOLD);
  return {
    flags: spoofed ? ['screen_or_print_photo'] : [],
    detail: {
      count: faces.length,
      liveness: round(liveness),
      spoofScore: round(spoofScore),
      boxes: faces.map((f) => f.boxRaw.map((v) => Math.round(v * 10_000) / 10_000) as FaceBox),
    },
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;
