import type { DecodedImage } from './decode.ts';
import type { VisionFlag } from './stage.ts';

export const QUALITY_LIMITS = {
  /**
   * Edge sharpness (edgeSharpness below) under this: blurry, or featureless.
   * Crisp edges score ~3.5, a Gaussian blur of σ = 1 px ~2.4, σ = 3 px ~1.3;
   * 1.6 is an edge about as wide as a σ ≈ 2 px blur at the analysis
   * resolution (picked between σ 1 and σ 3 on vision:eval's quality set).
   */
  minEdgeSharpness: 1.6,
  /** Mean luminance (0–255) above / below these: over / under exposed. Blur is not judged then. */
  maxMeanLuma: 225,
  minMeanLuma: 30,
  /** Shorter side below this many pixels: low resolution. */
  minSide: 480,
};

/** Distance in pixels of the coarse difference an edge's step is measured over (the fine one is over ±1 px). */
const COARSE = 4;
/** Share of the pixel differences, the strongest, that count as edges. */
const EDGE_SHARE = 0.05;
/** Every this many rows are read: a horizontal edge still meets one of them within its ±1 px difference. */
const ROW_STRIDE = 2;
/** An edge steps at least this many luminance levels across 2 × COARSE pixels: below it, noise or a smooth gradient. */
const MIN_EDGE_STEP = 4;
/** Where the luminance steps less than this across 2 × COARSE pixels the picture is flat: what its ±1 px differences carry is noise. */
const FLAT_STEP = 2;

export interface QualityDetail extends Record<string, unknown> {
  width: number;
  height: number;
  /** Fine-to-coarse gradient energy at the image's strongest edges (see edgeSharpness); 0 when it has none. */
  edgeSharpness: number;
  /** Variance of the Laplacian of the luminance: the amount of fine detail (contrast and noise raise it). */
  laplacianVariance: number;
  /** Mean luminance 0–255. */
  meanLuma: number;
}

/**
 * Quality stage on the luminance plane decoded by sharp (longer side ≤
 * ANALYSIS_SIDE): blur from the width of the strongest edges, which neither
 * contrast, exposure nor sensor noise changes (judged only when the exposure
 * is right), exposure from the mean luminance, resolution from the shorter side.
 */
export function qualityStage(img: DecodedImage): { flags: VisionFlag[]; detail: QualityDetail } {
  const { width, height } = img;
  const { sharpness: laplacianVariance, meanLuma } = laplacianStats(img.luma, img.lumaWidth, img.lumaHeight);
  const sharpness = edgeSharpness(img.luma, img.lumaWidth, img.lumaHeight);
  const flags: VisionFlag[] = [];
  if (meanLuma > QUALITY_LIMITS.maxMeanLuma) flags.push('over_exposed');
  else if (meanLuma < QUALITY_LIMITS.minMeanLuma) flags.push('under_exposed');
  else if (sharpness < QUALITY_LIMITS.minEdgeSharpness) flags.push('blurry');
  if (Math.min(width, height) < QUALITY_LIMITS.minSide) flags.push('low_resolution');
  return { flags, detail: { width, height, edgeSharpness: sharpness, laplacianVariance, meanLuma } };
}

/**
 * How sharp the strongest edges of a one-byte-a-pixel image are, whatever
 * their contrast: over the pixels whose horizontal or vertical luminance
 * step across ±COARSE px is among the strongest EDGE_SHARE (and at least
 * MIN_EDGE_STEP), on every ROW_STRIDE-th row, the energy of the ±1 px
 * differences over that of the ±COARSE px ones, each per pixel of distance
 * and less the energy noise adds to any difference (read where the picture
 * is flat). A step edge gives ~4 (all its change within one pixel), an edge
 * blurred wider than COARSE tends to 1 (below it where noise was over-read).
 * A ratio of two differences of the same edges: scaling the contrast (a dark
 * or flat picture) or adding edges leaves it unchanged, and noise does not
 * pass for detail. 0 when no pixel qualifies (a featureless image).
 */
export function edgeSharpness(px: Uint8Array, width: number, height: number): number {
  // One pass: per coarse step size (0–255), how many differences have it and their fine energy.
  const count = new Float64Array(256);
  const fineEnergy = new Float64Array(256);
  const far = COARSE * width;
  for (let y = COARSE; y < height - COARSE; y += ROW_STRIDE)
    for (let i = y * width + COARSE, end = (y + 1) * width - COARSE; i < end; i++) {
      const h = Math.abs((px[i + COARSE] ?? 0) - (px[i - COARSE] ?? 0));
      const hf = (px[i + 1] ?? 0) - (px[i - 1] ?? 0);
      count[h]! += 1;
      fineEnergy[h]! += hf * hf;
      const v = Math.abs((px[i + far] ?? 0) - (px[i - far] ?? 0));
      const vf = (px[i + width] ?? 0) - (px[i - width] ?? 0);
      count[v]! += 1;
      fineEnergy[v]! += vf * vf;
    }
  let total = 0;
  for (const n of count) total += n;
  // Sensor noise adds the same energy to every difference: its share, read where the picture is flat.
  let flat = 0;
  let flatEnergy = 0;
  for (let step = 0; step < FLAT_STEP; step++) {
    flat += count[step] ?? 0;
    flatEnergy += fineEnergy[step] ?? 0;
  }
  const noise = flat ? flatEnergy / flat : 0;
  // The strongest coarse steps, down to the size that completes EDGE_SHARE, none below MIN_EDGE_STEP.
  let fine = 0;
  let coarse = 0;
  let taken = 0;
  for (let step = 255; step >= MIN_EDGE_STEP && taken < EDGE_SHARE * total; step--) {
    taken += count[step] ?? 0;
    fine += fineEnergy[step] ?? 0;
    coarse += (count[step] ?? 0) * step * step;
  }
  // Per pixel of distance, (fine / 2)² over (coarse / (2 · COARSE))², each less the noise.
  fine = Math.max(0, fine - taken * noise);
  coarse -= taken * noise;
  return coarse > 0 ? round((COARSE * COARSE * fine) / coarse) : 0;
}

/** Mean of a one-byte-a-pixel image and the variance of its 4-neighbour Laplacian (interior pixels). */
export function laplacianStats(px: Uint8Array, width: number, height: number): { sharpness: number; meanLuma: number } {
  let lumaSum = 0;
  for (let i = 0; i < width * height; i++) lumaSum += px[i] ?? 0;
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let y = 1; y < height - 1; y++)
    for (let i = y * width + 1, end = (y + 1) * width - 1; i < end; i++) {
      const l = (px[i - 1] ?? 0) + (px[i + 1] ?? 0) + (px[i - width] ?? 0) + (px[i + width] ?? 0) - 4 * (px[i] ?? 0);
      n++;
      sum += l;
      sumSq += l * l;
    }
  const mean = n ? sum / n : 0;
  return { sharpness: round(n ? sumSq / n - mean * mean : 0), meanLuma: round(width * height ? lumaSum / (width * height) : 0) };
}

const round = (v: number) => Math.round(v * 100) / 100;
