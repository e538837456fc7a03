import type { DecodedImage } from './decode.ts';
import type { VisionFlag } from './stage.ts';

export const QUALITY_LIMITS = {
  /** Variance of the Laplacian below this: blurry (or featureless). */
  minSharpness: 50,
  /** Mean luminance (0–255) above / below these: over / under exposed. */
  maxMeanLuma: 225,
  minMeanLuma: 30,
  /** Shorter side below this many pixels: low resolution. */
  minSide: 480,
};

export interface QualityDetail extends Record<string, unknown> {
  width: number;
  height: number;
  /** Variance of the Laplacian of the luminance. */
  sharpness: number;
  /** Mean luminance 0–255. */
  meanLuma: number;
}

/** Quality stage: blur (variance of the Laplacian), exposure and resolution, on the image decoded by sharp. */
export function qualityStage(img: DecodedImage): { flags: VisionFlag[]; detail: QualityDetail } {
  const { width, height } = img;
  const { sharpness, meanLuma } = laplacianStats(img.luma, img.lumaWidth, img.lumaHeight);
  const flags: VisionFlag[] = [];
  if (sharpness < QUALITY_LIMITS.minSharpness) flags.push('blurry');
  if (meanLuma > QUALITY_LIMITS.maxMeanLuma) flags.push('over_exposed');
  if (meanLuma < QUALITY_LIMITS.minMeanLuma) flags.push('under_exposed');
  if (Math.min(width, height) < QUALITY_LIMITS.minSide) flags.push('low_resolution');
  return { flags, detail: { width, height, sharpness, meanLuma } };
}

/** Mean of a one-byte-a-pixel image and the variance of its 4-neighbour Laplacian (interior pixels). */
export function laplacianStats(px: Uint8Array, width: number, height: number): { sharpness: number; meanLuma: number } {
  const at = (x: number, y: number) => px[y * width + x] ?? 0;
  let lumaSum = 0;
  for (let i = 0; i < width * height; i++) lumaSum += px[i] ?? 0;
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let y = 1; y < height - 1; y++)
    for (let x = 1; x < width - 1; x++) {
      const l = at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4 * at(x, y);
      n++;
      sum += l;
      sumSq += l * l;
    }
  const mean = n ? sum / n : 0;
  return { sharpness: round(n ? sumSq / n - mean * mean : 0), meanLuma: round(width * height ? lumaSum / (width * height) : 0) };
}

const round = (v: number) => Math.round(v * 100) / 100;
