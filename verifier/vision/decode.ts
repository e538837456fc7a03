import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';

/** Longer side of the copy the detectors see (they resize further themselves). */
export const MODEL_INPUT_SIDE = 640;

/** Decodes an image (EXIF orientation applied) into an RGB int32 tensor no larger than MODEL_INPUT_SIDE. The caller disposes it. */
export async function decodeForModels(bytes: Uint8Array): Promise<tf.Tensor3D> {
  const { data, info } = await sharp(bytes)
    .rotate()
    .resize(MODEL_INPUT_SIDE, MODEL_INPUT_SIDE, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return tf.tensor3d(new Int32Array(data), [info.height, info.width, 3], 'int32');
}
