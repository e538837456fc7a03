import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { MISSION_TYPES } from '../../api/routes/schemas.ts';
import { syntheticPhoto } from '../media/fixtures.ts';
import { loadVisionModels, type VisionModels } from './models.ts';
import { analyseImage } from './pipeline.ts';

const IMAGES = 200;

describe('vision pipeline memory over many images', () => {
  let models: VisionModels;
  let photos: Buffer[];
  before(async () => {
    models = await loadVisionModels();
    const base = await Promise.all([1, 2, 3, 4].map((seed) => syntheticPhoto(seed, 800, 600)));
    // Vary what the stages see: blurred, dark, small, as well as plain renders.
    photos = [...base, await sharp(base[0]).blur(4).jpeg().toBuffer(), await sharp(base[1]).modulate({ brightness: 0.1 }).jpeg().toBuffer(), await syntheticPhoto(5, 320, 240)];
  });

  it(`holds the tensor count at its baseline after each of ${IMAGES} images (no tensor leaks per image)`, async () => {
    await analyseImage(models, photos[0] ?? Buffer.alloc(0), 'cleanup');
    const baseline = tf.memory().numTensors;
    for (let i = 0; i < IMAGES; i++) {
      await analyseImage(models, photos[i % photos.length] ?? Buffer.alloc(0), MISSION_TYPES[i % MISSION_TYPES.length] ?? 'cleanup');
      assert.equal(tf.memory().numTensors, baseline, `tensors after image ${i + 1}`);
    }
  });
});
