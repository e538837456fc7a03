import sharp from 'sharp';
import { mulberry32 } from '../../lib/mulberry32.ts';
import { renderedScene, shippedFile, shippedRegion, type ShippedRegion } from './eval-images.ts';
import type { FaceBox } from './faces.ts';

// The labelled set of the detector-stage evaluation (npm run vision:eval).
// Every label is known by construction, never by looking at a detector's
// output: faces cut from a face grid shipped in @vladmandic/human and pasted
// into rendered scenes at a known box, photos of people shipped in packages,
// pictures with no person or COCO object at all (UI screenshots, a stamp, an
// icon, empty rendered landscapes), and the re-photographed screen / printed
// photo of a face. Never a download.


/** @vladmandic/human's face-match screenshot: below its header, a grid of 18 × 6 faces its demo extracted from photos. */
const FACE_GRID = { path: '@vladmandic/human/assets/screenshot-facematch.jpg', columns: 18, rows: 6, top: 283, pitchY: 112, width: 100, height: 102 };
export const FACE_CELLS = FACE_GRID.columns * FACE_GRID.rows;

/** Face `i` of the grid (0 ≤ i < FACE_CELLS): a ~100 px head-and-shoulders crop, with the demo's small score captions in two corners. */
export function faceCell(i: number): Promise<Buffer> {
  const g = FACE_GRID;
  const column = i % g.columns;
  const row = Math.floor(i / g.columns) % g.rows;
  return sharp(shippedFile(g.path)).extract({ left: Math.round((column * 1920) / g.columns) + 3, top: g.top + row * g.pitchY, width: g.width, height: g.height }).png().toBuffer();
}

/** Shipped photos that show people (a person is visible in each; faces in most): [file, left, top, width, height]. */
const PEOPLE: ShippedRegion[] = [
  ['@vladmandic/human/assets/samples.jpg', 165, 0, 140, 155],
  ['@vladmandic/human/assets/samples.jpg', 330, 0, 205, 156],
  ['@vladmandic/human/assets/samples.jpg', 545, 0, 100, 155],
  ['@vladmandic/human/assets/samples.jpg', 645, 0, 140, 155],
  ['@vladmandic/human/assets/samples.jpg', 800, 0, 105, 155],
  ['@vladmandic/human/assets/samples.jpg', 910, 0, 210, 155],
  ['@vladmandic/human/assets/samples.jpg', 1130, 0, 150, 155],
  ['@vladmandic/human/assets/samples.jpg', 0, 195, 640, 480],
  ['@vladmandic/human/assets/samples.jpg', 640, 195, 640, 480],
  ['@vladmandic/human/assets/samples.jpg', 260, 560, 500, 580],
  ['@vladmandic/human/assets/screenshot-faceid.jpg', 14, 142, 140, 140],
  ['@vladmandic/human/assets/screenshot-vrm.jpg', 475, 5, 325, 240],
  ['@vladmandic/human/assets/screenshot-facedetect.jpg', 8, 345, 150, 155],
  ['@vladmandic/human/assets/screenshot-facedetect.jpg', 164, 345, 150, 155],
  ['@vladmandic/human/assets/screenshot-facedetect.jpg', 321, 345, 150, 155],
  ['@vladmandic/human/assets/screenshot-facedetect.jpg', 478, 345, 150, 155],
  ['@vladmandic/human/assets/screenshot-facedetect.jpg', 632, 345, 158, 155],
  ['autocannon/test/j5.jpeg', 0, 0, 1169, 584],
];
export const PEOPLE_PHOTOS = PEOPLE.length;

/** Shipped pictures with no person, no face and no COCO object: documentation and UI screenshots, a rubber stamp, an icon. */
const NOTHING: string[] = [
  '@vladmandic/human/assets/screenshot-typedoc.png',
  '@vladmandic/human/assets/screenshot-menu.png',
  '@vladmandic/human/assets/screenshot-results.png',
  '@fastify/static/test/static/shallow/sample.jpg',
  '@nomicfoundation/ignition-ui/src/assets/purple-rocket.png',
];
export const EMPTY_PICTURES = NOTHING.length;

/** Shipped photo of people `i`, scaled to fit 800×600 (small thumbnails are enlarged, so they are soft). */
export const peoplePhoto = (i: number): Promise<Buffer> => shippedRegion(PEOPLE, i);

/** Shipped picture `i` with nothing a detector should find, on white, as a JPEG. */
export function emptyPicture(i: number): Promise<Buffer> {
  const p = NOTHING[i];
  if (!p) throw new Error(`no empty picture ${i}`);
  return sharp(shippedFile(p)).flatten({ background: '#ffffff' }).resize({ width: 800, height: 800, fit: 'inside' }).jpeg({ quality: 92 }).toBuffer();
}

/** A rendered scene (800×600) with face `face` of the grid pasted in at `side` pixels, and where it went (normalised box). */
export async function faceInScene(face: number, side: number, seed: number): Promise<{ bytes: Buffer; box: FaceBox }> {
  const rnd = mulberry32(seed);
  const left = Math.round(rnd() * (800 - side));
  const top = Math.round(rnd() * (600 - side));
  const pasted = await sharp(await faceCell(face)).resize(side, side, { fit: 'fill' }).toBuffer();
  const bytes = await sharp(await renderedScene(seed)).composite([{ input: pasted, left, top }]).jpeg({ quality: 90 }).toBuffer();
  return { bytes, box: [left / 800, top / 600, side / 800, side / 600] };
}

/** A portrait: face `face` of the grid at 360 px, centred on a defocused rendered background (640×480), as a camera would frame a person. */
export async function portrait(face: number, seed: number): Promise<Buffer> {
  const background = await sharp(await renderedScene(seed)).resize(640, 480).blur(6).toBuffer();
  const head = await sharp(await faceCell(face)).resize(360, 360, { fit: 'fill' }).toBuffer();
  return sharp(background).composite([{ input: head, left: 140, top: 60 }]).jpeg({ quality: 90 }).toBuffer();
}

/** An empty rendered landscape (sky, sun, hills, ground; no house, tree, figure or object). */
export const emptyLandscape = (seed: number) => renderedScene(seed, { things: false });

/**
 * A photo printed on paper and photographed again: ink gamut (lower
 * contrast and saturation, warm paper white), a halftone dot screen, a white
 * paper margin on a desk, tilted, lit unevenly with a glare patch, slightly
 * defocused, sensor noise, recompressed.
 */
export async function printedPhoto(img: Buffer, seed: number): Promise<Buffer> {
  const rnd = mulberry32(seed);
  const { width = 0, height = 0 } = await sharp(img).metadata();
  const dots = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><pattern id="d" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><circle cx="2" cy="2" r="1.1" fill="#000" fill-opacity="0.22"/></pattern></defs><rect width="100%" height="100%" fill="url(#d)"/></svg>`;
  const inked = await sharp(img)
    .linear(0.78, 30)
    .modulate({ saturation: 0.7 })
    .tint({ r: 255, g: 244, b: 222 })
    .composite([{ input: Buffer.from(dots) }])
    .toBuffer();
  const margin = Math.round(Math.min(width, height) * 0.07);
  const W = width + 2 * margin;
  const H = height + 2 * margin;
  const gx = 0.2 + rnd() * 0.6;
  const gy = 0.2 + rnd() * 0.6;
  const light = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><defs>
    <linearGradient id="l" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.35"/></linearGradient>
    <radialGradient id="g"><stop offset="0" stop-color="#fff" stop-opacity="0.55"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>
    <rect width="100%" height="100%" fill="url(#l)"/><ellipse cx="${gx * W}" cy="${gy * H}" rx="${W * 0.18}" ry="${H * 0.12}" fill="url(#g)"/></svg>`;
  const { data, info } = await sharp(inked)
    .extend({ top: margin, bottom: margin, left: margin, right: margin, background: '#f4efe4' })
    .composite([{ input: Buffer.from(light) }])
    .rotate((rnd() - 0.5) * 12, { background: '#6b4f35' })
    .blur(0.9)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, (data[i] ?? 0) + Math.round((rnd() - 0.5) * 20)));
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: 80 }).toBuffer();
}

/** Shipped photos at their native resolution, cut to 800×600 or less (sharp, well exposed): [file, left, top, width, height]. */
const NATIVE: ShippedRegion[] = [
  ['@vladmandic/human/assets/samples.jpg', 0, 195, 800, 600],
  ['@vladmandic/human/assets/samples.jpg', 480, 195, 800, 600],
  ['@vladmandic/human/assets/samples.jpg', 0, 558, 800, 600],
  ['@vladmandic/human/assets/samples.jpg', 480, 558, 800, 600],
  ['autocannon/test/j5.jpeg', 0, 0, 800, 584],
  ['autocannon/test/j5.jpeg', 369, 0, 800, 584],
];
export const NATIVE_PHOTOS = NATIVE.length;

/** Native-resolution photo `i`: a quality base beside the rendered scenes. */
export const nativePhoto = (i: number): Promise<Buffer> => shippedRegion(NATIVE, i, { native: true });

/** A quality degradation with the flag the quality stage should raise for it (null: none expected). */
export interface Degradation {
  name: string;
  expected: 'blurry' | 'over_exposed' | 'under_exposed' | 'low_resolution' | null;
  apply: (img: Buffer) => Promise<Buffer>;
}

const blur = (sigma: number, expected: Degradation['expected']): Degradation => ({
  name: `gaussian blur σ=${sigma}`,
  expected,
  apply: (img) => sharp(img).blur(sigma).jpeg({ quality: 90 }).toBuffer(),
});

/** Uniform noise of ±`amplitude` levels on every channel of every pixel, as a small sensor in dim light adds (seeded). */
async function sensorNoise(img: Buffer, amplitude: number): Promise<Buffer> {
  const rnd = mulberry32(amplitude);
  const { data, info } = await sharp(img).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, (data[i] ?? 0) + Math.round((rnd() - 0.5) * 2 * amplitude)));
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: 90 }).toBuffer();
}

/**
 * The quality set's degradations of a sharp, well exposed ~800×600 image.
 * Blur σ 1 is a softness the eye barely sees at this size: labelled "no
 * flag expected", it shows where the threshold lies; σ ≥ 3 is plainly blurred.
 * Darkening and blowing out leave the edges as sharp: they should raise
 * their exposure flag, not `blurry`. Heavy sensor noise (dim light) should
 * neither pass a blurred picture for sharp nor make a sharp one blurry.
 */
export const DEGRADATIONS: Degradation[] = [
  { name: 'unchanged (clean)', expected: null, apply: async (img) => img },
  blur(1, null),
  blur(3, 'blurry'),
  blur(6, 'blurry'),
  blur(12, 'blurry'),
  { name: 'sensor noise ±20', expected: null, apply: (img) => sensorNoise(img, 20) },
  { name: 'σ=3 + sensor noise ±20', expected: 'blurry', apply: async (img) => sensorNoise(await sharp(img).blur(3).toBuffer(), 20) },
  { name: 'dark (×0.1 linear)', expected: 'under_exposed', apply: (img) => sharp(img).linear(0.1, 0).jpeg({ quality: 90 }).toBuffer() },
  { name: 'dark (×0.2 linear)', expected: 'under_exposed', apply: (img) => sharp(img).linear(0.2, 0).jpeg({ quality: 90 }).toBuffer() },
  { name: 'blown out (×2.5 +80)', expected: 'over_exposed', apply: (img) => sharp(img).linear(2.5, 80).jpeg({ quality: 90 }).toBuffer() },
  { name: 'blown out (×1.8 +120)', expected: 'over_exposed', apply: (img) => sharp(img).linear(1.8, 120).jpeg({ quality: 90 }).toBuffer() },
  { name: 'downscaled to 400 px', expected: 'low_resolution', apply: (img) => sharp(img).resize({ width: 400 }).jpeg({ quality: 90 }).toBuffer() },
  { name: 'downscaled to 240 px', expected: 'low_resolution', apply: (img) => sharp(img).resize({ width: 240 }).jpeg({ quality: 90 }).toBuffer() },
];
