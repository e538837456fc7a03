import * as tf from '@tensorflow/tfjs';
import type { NSFWJS } from 'nsfwjs/core';
import sharp from 'sharp';
import type { RawRgb } from './decode.ts';

/** Side of nsfwjs MobileNetV2's square input. */
export const INPUT_SIDE = 224;
/** Its last convolutional activation (7×7×1280), before the 5-class head: the near-duplicate descriptor's features. */
export const FEATURE_LAYER = 'out_relu';
export const FEATURES = 1280;
/**
 * Exponent of the generalised-mean (GeM) pooling of the features: between
 * the mean (1) and the maximum (∞), so a pattern's strongest evidence counts
 * most (a crop or a border rarely removes it) without one noisy cell deciding;
 * in `npm run vision:eval` it found more duplicates than max pooling.
 */
export const POOLING_POWER = 3;
/** Plain-border tolerance of the trim before the network sees the image (sharp trim threshold). */
export const TRIM_THRESHOLD = 30;

/**
 * nsfwjs's MobileNetV2 (a tf.LayersModel) with two outputs from the same
 * layers and weights: the FEATURE_LAYER activation and the classifier's
 * class probabilities, so one execution serves the unsafe stage and the
 * descriptor. Built once, when the models load.
 */
export function twoOutputMobileNet(nsfw: NSFWJS): tf.LayersModel {
  const net = nsfw.model;
  if (!(net instanceof tf.LayersModel)) throw new Error('nsfwjs MobileNetV2 is expected as a tf.LayersModel');
  const features = net.getLayer(FEATURE_LAYER).output;
  if (Array.isArray(features)) throw new Error(`${FEATURE_LAYER} has several outputs`);
  return tf.model({ inputs: net.inputs, outputs: [features, ...net.outputs] });
}

/**
 * What the network sees of an image: plain borders trimmed (a frame added to
 * reuse a photo is not part of it), squashed to INPUT_SIDE², RGB bytes. The
 * border is found on a copy of INPUT_SIDE's scale (libvips' trim filters the
 * whole image it is given; at 640 px that cost as much as a network pass) and
 * cut from the full copy.
 */
export async function networkInput(image: RawRgb): Promise<Buffer> {
  const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
  const box = await trimBox(image);
  return sharp(image.data, raw).extract(box).resize(INPUT_SIDE, INPUT_SIDE, { fit: 'fill' }).raw().toBuffer();
}

/** The rectangle of `image` inside its plain border (the whole image when it has none, or is all border). */
export async function trimBox(image: RawRgb): Promise<{ left: number; top: number; width: number; height: number }> {
  const whole = { left: 0, top: 0, width: image.width, height: image.height };
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(INPUT_SIDE, INPUT_SIDE, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // trim() refuses an image that is all border; keep it whole then.
  const trimmed = await sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }).trim({ threshold: TRIM_THRESHOLD }).raw().toBuffer({ resolveWithObject: true })
    .then((t) => t.info, () => null);
  if (!trimmed) return whole;
  // A trimmed side moves one more small pixel inwards (that pixel blends border and picture), rounded inwards at full
  // scale: a line of the border left at the edge changes the network's features more than a few lines of picture lost.
  const sx = image.width / info.width;
  const sy = image.height / info.height;
  const l = Math.abs(trimmed.trimOffsetLeft ?? 0);
  const t = Math.abs(trimmed.trimOffsetTop ?? 0);
  const r = l + trimmed.width;
  const b = t + trimmed.height;
  const left = Math.ceil((l > 0 ? l + 1 : 0) * sx - 1e-6);
  const top = Math.ceil((t > 0 ? t + 1 : 0) * sy - 1e-6);
  const right = Math.floor((r < info.width ? r - 1 : info.width) * sx + 1e-6);
  const bottom = Math.floor((b < info.height ? b - 1 : info.height) * sy + 1e-6);
  if (right - left < 1 || bottom - top < 1) return whole;
  const width = right - left;
  const height = bottom - top;
  return { left, top, width, height };
}

export interface MobileNetOutput {
  /** Class probabilities of the image, in the model's output order (nsfwjs NSFW_CLASSES). */
  classes: Float32Array;
  /** Generalised mean (p = POOLING_POWER) of each FEATURE_LAYER channel over the 7×7 grid: of the image, of its mirror image. */
  pooled: [Float32Array, Float32Array];
}

/**
 * One forward of the network over a batch of two: the image (`networkInput`
 * bytes) and its mirror image. Inputs are scaled to [0, 1] as nsfwjs does.
 * Every tensor it makes is disposed before it returns.
 */
export function mobileNetPass(net: tf.LayersModel, input: Uint8Array): MobileNetOutput {
  const row = INPUT_SIDE * 3;
  const pixels = INPUT_SIDE * row;
  if (input.length !== pixels) throw new Error(`network input holds ${input.length} bytes, not ${pixels}`);
  const batch = new Float32Array(2 * pixels);
  for (let y = 0; y < INPUT_SIDE; y++) {
    for (let x = 0; x < INPUT_SIDE; x++) {
      const from = y * row + x * 3;
      const to = pixels + y * row + (INPUT_SIDE - 1 - x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = (input[from + c] ?? 0) / 255;
        batch[from + c] = v;
        batch[to + c] = v;
      }
    }
  }
  let pooled: Float32Array = new Float32Array(0);
  let classes: Float32Array = new Float32Array(0);
  tf.tidy(() => {
    const [activation, probabilities] = net.predict(tf.tensor4d(batch, [2, INPUT_SIDE, INPUT_SIDE, 3])) as tf.Tensor[];
    if (!activation || !probabilities) throw new Error('MobileNetV2 gave fewer than two outputs');
    pooled = activation.pow(POOLING_POWER).mean([1, 2]).pow(1 / POOLING_POWER).dataSync() as Float32Array;
    classes = probabilities.dataSync() as Float32Array;
  });
  return { classes: classes.slice(0, classes.length / 2), pooled: [pooled.slice(0, FEATURES), pooled.slice(FEATURES, 2 * FEATURES)] };
}
