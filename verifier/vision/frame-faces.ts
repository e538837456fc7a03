import * as tf from '@tensorflow/tfjs';
import type { Human } from '@vladmandic/human';
import { facesStage, type FaceBox } from './faces.ts';
import type { RawRgb } from './pipeline.ts';

/** The face detector alone: no antispoof or liveness model, no objects (the blur needs boxes only). */
const DETECTOR_ONLY = { face: { enabled: true, antispoof: { enabled: false }, liveness: { enabled: false } }, object: { enabled: false } };

/**
 * Normalised face boxes in one RGB frame, from human's face detector only
 * (the cheap part of the faces stage). detect() merges its config into the
 * instance's for good, so the antispoof and liveness settings are put back
 * afterwards: the stills' faces stage keeps running them.
 */
export async function frameFaceBoxes(human: Human, frame: RawRgb): Promise<FaceBox[]> {
  const kept = { antispoof: human.config.face.antispoof?.enabled, liveness: human.config.face.liveness?.enabled };
  const tensor = tf.tensor3d(new Int32Array(frame.data), [frame.height, frame.width, 3], 'int32');
  try {
    return facesStage((await human.detect(tensor, DETECTOR_ONLY)).face).detail.boxes;
  } finally {
    tensor.dispose();
    // detect() replaced human.config with the merged copy: restore on that one.
    const { antispoof, liveness } = human.config.face;
    if (antispoof) antispoof.enabled = kept.antispoof;
    if (liveness) liveness.enabled = kept.liveness;
  }
}
