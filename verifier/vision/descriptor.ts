import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mulberry32 } from '../../lib/mulberry32.ts';
import { ANALYSIS_SIDE, decodeImage } from './decode.ts';
import { FEATURE_LAYER, FEATURES, INPUT_SIDE, mobileNetPass, networkInput, PREPARE_SIDE, TRIM_THRESHOLD, type MobileNetOutput } from './mobilenet.ts';
import type { VisionModels } from './models.ts';

export { FEATURES } from './mobilenet.ts';
/** Dimensions of the stored descriptor (a seeded Gaussian projection of the pooled features). */
export const DESCRIPTOR_DIMS = 256;
const PROJECTION_SEED = 0x5eed_d0b5;

/** FEATURES × DESCRIPTOR_DIMS, row-major, N(0, 1) from mulberry32 (Box–Muller): the same matrix in every process. */
const PROJECTION: Float32Array = (() => {
  const rnd = mulberry32(PROJECTION_SEED);
  const m = new Float32Array(FEATURES * DESCRIPTOR_DIMS);
  for (let i = 0; i < m.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rnd()));
    const a = 2 * Math.PI * rnd();
    m[i] = r * Math.cos(a);
    m[i + 1] = r * Math.sin(a);
  }
  return m;
})();

/** Mean features of unrelated training images (descriptor-centre.json, `npm run vision:descriptor-centre`), subtracted before projecting. */
const CENTRE_FILE = new URL('./descriptor-centre.json', import.meta.url);
let centre: Float32Array | null = null;
function loadCentre(): Float32Array {
  if (!centre) {
    const values = JSON.parse(readFileSync(CENTRE_FILE, 'utf8')) as number[];
    if (values.length !== FEATURES) throw new Error(`descriptor-centre.json holds ${values.length} values, not ${FEATURES}`);
    centre = Float32Array.from(values);
  }
  return centre;
}

/**
 * Version of the descriptor: SHA-256 over the nsfwjs weight files' hashes,
 * the centre, the feature layer, the input preparation and the projection,
 * so descriptors of another model, centre, input or projection are never
 * compared with these.
 */
export function descriptorVersion(models: VisionModels): string {
  const h = createHash('sha256');
  for (const path of Object.keys(models.files).sort()) if (path.includes('/nsfwjs/')) h.update(`${path.slice(path.indexOf('/nsfwjs/'))}\0${models.files[path]}\n`);
  h.update(readFileSync(CENTRE_FILE));
  // The input: the pipeline's decode (longer side ANALYSIS_SIDE), shrunk to PREPARE_SIDE, trimmed, squashed to INPUT_SIDE²; then mirror-averaged max pooling, square root.
  h.update(`${FEATURE_LAYER}\0max-sqrt-mirror\0decode${ANALYSIS_SIDE}-${PREPARE_SIDE}-trim${TRIM_THRESHOLD}-fill${INPUT_SIDE}\0${FEATURES}\0${DESCRIPTOR_DIMS}\0${PROJECTION_SEED}`);
  return h.digest('hex');
}

/**
 * The uncentred features of one MobileNetV2 pass: the max-pooled
 * activations (MAC pooling: the strongest evidence of a pattern anywhere,
 * which a crop or a border rarely removes) of the image and of its mirror
 * image averaged (so a flipped copy gets the same features),
 * square-rooted (damps the few dominant channels), L2-normalised.
 */
export function passFeatures(pass: MobileNetOutput): Float32Array {
  const [a, b] = pass.pooled;
  const features = new Float32Array(FEATURES);
  for (let i = 0; i < FEATURES; i++) features[i] = Math.sqrt(((a[i] ?? 0) + (b[i] ?? 0)) / 2);
  return normalise(features);
}

/**
 * Near-duplicate descriptor from uncentred features: minus the centre
 * (what every picture has in common), projected to DESCRIPTOR_DIMS and
 * L2-normalised, so cosine similarity compares two images.
 */
export function featuresDescriptor(features: Float32Array): Float32Array {
  const c = loadCentre();
  const centred = new Float32Array(FEATURES);
  for (let i = 0; i < FEATURES; i++) centred[i] = (features[i] ?? 0) - (c[i] ?? 0);
  return project(centred);
}

/**
 * The uncentred features of an image on its own: the pipeline's decode,
 * then one MobileNetV2 pass (trimmed image and mirror). Throws when the
 * bytes are not an image.
 */
export async function imageFeatures(models: VisionModels, bytes: Uint8Array): Promise<Float32Array> {
  const decoded = await decodeImage(bytes);
  decoded.tensor.dispose();
  return passFeatures(mobileNetPass(models.mobileNet, await networkInput({ data: decoded.rgb, width: decoded.lumaWidth, height: decoded.lumaHeight })));
}

/**
 * Near-duplicate descriptor of an image on its own: decoded and described
 * here, the same as analyseImage's `descriptor` (which reuses the unsafe
 * stage's forward instead).
 */
export async function describeImage(models: VisionModels, bytes: Uint8Array): Promise<Float32Array> {
  return featuresDescriptor(await imageFeatures(models, bytes));
}

/** features · PROJECTION, L2-normalised. */
function project(features: Float32Array): Float32Array {
  const out = new Float32Array(DESCRIPTOR_DIMS);
  for (let i = 0; i < FEATURES; i++) {
    const f = features[i] ?? 0;
    if (f === 0) continue;
    const row = i * DESCRIPTOR_DIMS;
    for (let j = 0; j < DESCRIPTOR_DIMS; j++) out[j] = (out[j] ?? 0) + f * (PROJECTION[row + j] ?? 0);
  }
  return normalise(out);
}

export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  const s = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) * s;
  return v;
}

/** Cosine similarity of two L2-normalised descriptors. */
export function similarity(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}
