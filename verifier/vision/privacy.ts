import sharp from 'sharp';
import { DERIVATIVE_FORMATS, derivativeKey, type DerivativeKind } from '../../lib/public-derivative.ts';
import type { Queryable } from '../media/index.ts';
import { ANALYSIS_SIDE } from './decode.ts';
import type { FaceBox } from './faces.ts';
import type { RawRgb } from './pipeline.ts';
import type { VideoDerivative } from './video-derivative.ts';

/** Longer side of the public derivative: a display copy, the size the vision stages decode to (so the worker decodes once). */
export const DERIVATIVE_SIDE = ANALYSIS_SIDE;
/** Each face box grows by this fraction of its size on every side before it is blurred (hair, ears, chin). */
export const FACE_MARGIN = 0.2;
/** JPEG quality of the derivative. */
export const DERIVATIVE_QUALITY = 88;

export interface Derivative {
  jpeg: Buffer;
  width: number;
  height: number;
  facesBlurred: number;
}

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Pixel rectangles to blur for normalised face boxes on a `width`×`height` image: grown by FACE_MARGIN, clipped to the image. */
export function faceRegions(boxes: readonly FaceBox[], width: number, height: number): Region[] {
  // Rounded to a millionth of a pixel first, so float noise never moves an edge by a whole pixel.
  const px = (v: number) => Math.round(v * 1e6) / 1e6;
  return boxes.flatMap(([x, y, w, h]) => {
    const left = Math.max(0, Math.floor(px((x - w * FACE_MARGIN) * width)));
    const top = Math.max(0, Math.floor(px((y - h * FACE_MARGIN) * height)));
    const right = Math.min(width, Math.ceil(px((x + w * (1 + FACE_MARGIN)) * width)));
    const bottom = Math.min(height, Math.ceil(px((y + h * (1 + FACE_MARGIN)) * height)));
    return right > left && bottom > top ? [{ left, top, width: right - left, height: bottom - top }] : [];
  });
}

/** Each face region of `image` blurred (raw RGB out, same size), and how many regions there were. */
export async function blurRegions(image: RawRgb, boxes: readonly FaceBox[]): Promise<{ data: Buffer; regions: number }> {
  const raw = { width: image.width, height: image.height, channels: 3 as const };
  const regions = faceRegions(boxes, image.width, image.height);
  if (regions.length === 0) return { data: image.data, regions: 0 };
  const overlays = await Promise.all(regions.map(async (r) => ({
    input: await sharp(image.data, { raw }).extract(r).blur(Math.max(4, Math.max(r.width, r.height) / 5)).raw().toBuffer(),
    raw: { width: r.width, height: r.height, channels: 3 as const },
    left: r.left,
    top: r.top,
  })));
  return { data: await sharp(image.data, { raw }).composite(overlays).removeAlpha().raw().toBuffer(), regions: regions.length };
}

/**
 * The copy of an evidence image other players and the public may see, from
 * the oriented RGB pixels the vision stages decoded. Bystanders: OneHeart has
 * no selfie mission type — no mission asks for the player's face — so every
 * detected face counts as a bystander and is blurred (the player's own
 * included). The JPEG is encoded from raw pixels, so no metadata (EXIF, GPS,
 * XMP, ICC) of the original survives.
 */
export async function blurFaces(image: RawRgb, boxes: readonly FaceBox[]): Promise<Derivative> {
  const { data, regions } = await blurRegions(image, boxes);
  const jpeg = await sharp(data, { raw: { width: image.width, height: image.height, channels: 3 } }).jpeg({ quality: DERIVATIVE_QUALITY }).toBuffer();
  return { jpeg, width: image.width, height: image.height, facesBlurred: regions };
}

/**
 * Stores the derivative of an evidence item (a still's JPEG or a video's
 * MP4) beside its original and records it (append-only: a re-run writes the
 * derivative again to the same key and no new row). Returns the derivative's
 * key, or null when the evidence is unknown.
 */
export async function storeDerivative(
  db: Queryable,
  putObject: (key: string, bytes: Uint8Array, contentType: string) => Promise<void>,
  evidenceId: string,
  d: Derivative | VideoDerivative,
  modelVersion: string,
): Promise<string | null> {
  const { rows } = await db.query<{ object_key: string }>('SELECT object_key FROM evidence WHERE id = $1', [evidenceId]);
  const original = rows[0]?.object_key;
  if (original === undefined) return null;
  const [kind, bytes]: [DerivativeKind, Buffer] = 'mp4' in d ? ['video', d.mp4] : ['image', d.jpeg];
  const key = derivativeKey(original, kind);
  await putObject(key, bytes, DERIVATIVE_FORMATS[kind].mediaType);
  await db.query(
    `INSERT INTO evidence_derivatives (evidence_id, object_key, faces_blurred, width, height, model_version)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (evidence_id) DO NOTHING`,
    [evidenceId, key, d.facesBlurred, d.width, d.height, modelVersion],
  );
  return key;
}
