import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

/** Longer side of the copy the detectors see (they resize further themselves). */
export const MODEL_INPUT_SIDE = 640;
/** Longer side of the luminance copy quality is measured on, so blur does not depend on resolution. */
export const ANALYSIS_SIDE = 1024;

/** Oriented RGB pixels, three bytes a pixel. */
export interface RawRgb {
  data: Buffer;
  width: number;
  height: number;
}

export interface DecodedImage {
  /** Displayed size of the original (EXIF orientation applied). */
  width: number;
  height: number;
  /** RGB int32, longer side ≤ MODEL_INPUT_SIDE. The caller disposes it. */
  tensor: tf.Tensor3D;
  /** RGB, three bytes a pixel, same size as `luma`: what the public derivative (verifier/vision/privacy.ts) and MobileNetV2's input (unsafe content, near-duplicate descriptor) are made from. */
  rgb: Buffer;
  /** Rec. 601 luminance, one byte a pixel, longer side ≤ ANALYSIS_SIDE. */
  luma: Uint8Array;
  lumaWidth: number;
  lumaHeight: number;
}

/** Decodes the JPEG/PNG/… once into the working copies every stage (and the derivative) reads. Throws when the bytes are not an image. */
export async function decodeImage(bytes: Uint8Array): Promise<DecodedImage> {
  const meta = await sharp(bytes).metadata();
  const swap = (meta.orientation ?? 1) >= 5;
  const { data, info } = await sharp(bytes)
    .rotate()
    .resize(ANALYSIS_SIDE, ANALYSIS_SIDE, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const luma = new Uint8Array(info.width * info.height);
  for (let i = 0, j = 0; i < luma.length; i++, j += 3) luma[i] = Math.round(0.299 * (data[j] ?? 0) + 0.587 * (data[j + 1] ?? 0) + 0.114 * (data[j + 2] ?? 0));
  const small = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .resize(MODEL_INPUT_SIDE, MODEL_INPUT_SIDE, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: (swap ? meta.height : meta.width) ?? info.width,
    height: (swap ? meta.width : meta.height) ?? info.height,
    tensor: tf.tensor3d(new Int32Array(small.data), [small.info.height, small.info.width, 3], 'int32'),
    rgb: data,
    luma,
    lumaWidth: info.width,
    lumaHeight: info.height,
  };
}
