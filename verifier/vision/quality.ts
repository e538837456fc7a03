import sharp from 'sharp';
import type { VisionFlag } from './stage.ts';

/** Quality is measured on a copy whose longer side is this, so blur does not depend on resolution. */
const ANALYSIS_SIDE = 1024;

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

/** Quality stage: blur (variance of the Laplacian), exposure and resolution, computed with sharp. */
export async function qualityStage(bytes: Uint8Array): Promise<{ flags: VisionFlag[]; detail: QualityDetail }> {
  const meta = await sharp(bytes).rotate().metadata();
  const swap = (meta.orientation ?? 1) >= 5;
  const width = (swap ? meta.height : meta.width) ?? 0;
  const height = (swap ? meta.width : meta.height) ?? 0;
  const { data, info } = await sharp(bytes)
    .rotate()
    .greyscale()
    .resize(ANALYSIS_SIDE, ANALYSIS_SIDE, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { sharpness, meanLuma } = laplacianStats(data, info.width, info.height, info.channels);
  const flags: VisionFlag[] = [];
  if (sharpness < QUALITY_LIMITS.minSharpness) flags.push('blurry');
  if (meanLuma > QUALITY_LIMITS.maxMeanLuma) flags.push('over_exposed');
  if (meanLuma < QUALITY_LIMITS.minMeanLuma) flags.push('under_exposed');
  if (Math.min(width, height) < QUALITY_LIMITS.minSide) flags.push('low_resolution');
  return { flags, detail: { width, height, sharpness, meanLuma } };
}

/** Mean of the first channel and variance of its 4-neighbour Laplacian (interior pixels). */
export function laplacianStats(px: Uint8Array, width: number, height: number, channels: number): { sharpness: number; meanLuma: number } {
  const at = (x: number, y: number) => px[(y * width + x) * channels] ?? 0;
  let lumaSum = 0;
  for (let i = 0; i < width * height; i++) lumaSum += px[i * channels] ?? 0;
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
