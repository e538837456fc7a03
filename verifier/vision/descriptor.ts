import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { mulberry32 } from '../../lib/mulberry32.ts';
import type { VisionModels } from './models.ts';

/** nsfwjs MobileNetV2's last convolutional activation (7×7×1280), before its 5-class head. */
const FEATURE_LAYER = 'out_relu';
const INPUT_SIDE = 224;
/** Longest side the image is decoded at before trimming: twice the input, so the trim and the final resize lose nothing. */
const PREPARE_SIDE = 448;
/** Dimensions of the stored descriptor (a seeded Gaussian projection of the pooled features). */
export const DESCRIPTOR_DIMS = 256;
export const FEATURES = 1280;
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
 * the centre, the feature layer and the projection, so descriptors of
 * another model, centre or projection are never compared with these.
 */
export function descriptorVersion(models: VisionModels): string {
  const h = createHash('sha256');
  for (const path of Object.keys(models.files).sort()) if (path.includes('/nsfwjs/')) h.update(`${path.slice(path.indexOf('/nsfwjs/'))}\0${models.files[path]}\n`);
  h.update(readFileSync(CENTRE_FILE));
  h.update(`${FEATURE_LAYER}\0max-sqrt-trim\0${PREPARE_SIDE}\0${FEATURES}\0${DESCRIPTOR_DIMS}\0${PROJECTION_SEED}`);
  return h.digest('hex');
}

/** Largest activation of each channel over the 7×7 grid (MAC pooling: the strongest evidence of a pattern anywhere, which a crop or a border rarely removes). */
function maxPooled(models: VisionModels, image: tf.Tensor3D): Float32Array {
  return tf.tidy(() => {
    const act = models.nsfw.infer(image, FEATURE_LAYER) as tf.Tensor4D;
    return act.max([0, 1, 2]).dataSync() as Float32Array;
  });
}

/**
 * The uncentred features of an image: plain borders trimmed, squashed to
 * 224×224, MobileNetV2 activations max-pooled for the image and its mirror
 * image and averaged (so a flipped copy gets the same features), square-rooted
 * (damps the few dominant channels), L2-normalised. Throws when the bytes are
 * not an image.
 */
export async function imageFeatures(models: VisionModels, bytes: Uint8Array): Promise<Float32Array> {
  // One decode, shrunk on load (a camera JPEG decodes at 1/4 or 1/8 scale), upright, RGB; the rest works on these pixels.
  const small = await sharp(bytes).rotate().resize(PREPARE_SIDE, PREPARE_SIDE, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const raw = (info: sharp.OutputInfo) => ({ raw: { width: info.width, height: info.height, channels: 3 as const } });
  // trim() refuses an image that is all border; keep it whole then.
  const trimmed = await sharp(small.data, raw(small.info)).trim({ threshold: 30 }).raw().toBuffer({ resolveWithObject: true }).catch(() => small);
  const { data } = await sharp(trimmed.data, raw(trimmed.info)).resize(INPUT_SIDE, INPUT_SIDE, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const image = tf.tensor3d(new Int32Array(data), [INPUT_SIDE, INPUT_SIDE, 3], 'int32');
  const mirrored = tf.reverse(image, 1) as tf.Tensor3D;
  try {
    const a = maxPooled(models, image);
    const b = maxPooled(models, mirrored);
    const features = new Float32Array(FEATURES);
    for (let i = 0; i < FEATURES; i++) features[i] = Math.sqrt(((a[i] ?? 0) + (b[i] ?? 0)) / 2);
    return normalise(features);
  } finally {
    image.dispose();
    mirrored.dispose();
  }
}

/**
 * Near-duplicate descriptor of an image: its features minus the centre
 * (what every picture has in common), projected to DESCRIPTOR_DIMS and
 * L2-normalised, so cosine similarity compares two images.
 */
export async function describeImage(models: VisionModels, bytes: Uint8Array): Promise<Float32Array> {
  const features = await imageFeatures(models, bytes);
  const c = loadCentre();
  for (let i = 0; i < FEATURES; i++) features[i] = (features[i] ?? 0) - (c[i] ?? 0);
  return project(features);
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
