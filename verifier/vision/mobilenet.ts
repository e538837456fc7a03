import * as tf from '@tensorflow/tfjs';
import type { NSFWJS } from 'nsfwjs/core';
import sharp from 'sharp';
import type { RawRgb } from './decode.ts';

/** Side of nsfwjs MobileNetV2's square input. */
export const INPUT_SIDE = 224;
/** Its last convolutional activation (7×7×1280), before the 5-class head: the near-duplicate descriptor's features. */
export const FEATURE_LAYER = 'out_relu';
export const FEATURES = 1280;
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

/** Longest side of the copy the border is trimmed on: twice the input, so the trim and the final squash lose nothing. */
export const PREPARE_SIDE = 448;

/**
 * What the network sees of an image (the pipeline's decoded pixels): shrunk
 * to PREPARE_SIDE, plain borders trimmed (a frame added to reuse a photo is
 * not part of it), squashed to INPUT_SIDE², RGB bytes.
 */
export async function networkInput(image: RawRgb): Promise<Buffer> {
  const raw = (img: RawRgb) => ({ raw: { width: img.width, height: img.height, channels: 3 as const } });
  const asRaw = ({ data, info }: { data: Buffer; info: sharp.OutputInfo }): RawRgb => ({ data, width: info.width, height: info.height });
  const small = asRaw(await sharp(image.data, raw(image)).resize(PREPARE_SIDE, PREPARE_SIDE, { fit: 'inside', withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true }));
  // trim() refuses an image that is all border; keep it whole then.
  const trimmed = await sharp(small.data, raw(small)).trim({ threshold: TRIM_THRESHOLD }).raw().toBuffer({ resolveWithObject: true }).then(asRaw, () => small);
  return sharp(trimmed.data, raw(trimmed)).resize(INPUT_SIDE, INPUT_SIDE, { fit: 'fill' }).raw().toBuffer();
}

export interface MobileNetOutput {
  /** Class probabilities of the image, in the model's output order (nsfwjs NSFW_CLASSES). */
  classes: Float32Array;
  /** Largest FEATURE_LAYER activation of each channel over the 7×7 grid: of the image, of its mirror image. */
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
    pooled = activation.max([1, 2]).dataSync() as Float32Array;
    classes = probabilities.dataSync() as Float32Array;
  });
  return { classes: classes.slice(0, classes.length / 2), pooled: [pooled.slice(0, FEATURES), pooled.slice(FEATURES, 2 * FEATURES)] };
}
