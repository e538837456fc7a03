import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { MISSION_TYPES } from '../../api/routes/schemas.ts';
import { syntheticPhoto } from '../media/fixtures.ts';
import { loadVisionModels, type VisionModels } from './models.ts';
import { analyseImage } from './pipeline.ts';

/**
 * The tensor count is exact, so a leak shows at the first image that takes the leaking path:
 * 28 images pass every photo variant through several mission types. The long run (RSS over
 * 10,000 images) is `npm run bench:vision -- --memory 10000`, not a test.
 */
const ROUNDS = 1;
const PER_ROUND = 28;

describe(`vision pipeline memory over ${ROUNDS * PER_ROUND} images`, () => {
  let models: VisionModels;
  let photos: Buffer[];
  let baseline: number;
  let done = 0;
  before(async () => {
    models = await loadVisionModels();
    const base = await Promise.all([1, 2, 3, 4].map((seed) => syntheticPhoto(seed, 800, 600)));
    // Vary what the stages see: blurred, dark, small, as well as plain renders.
    photos = [...base, await sharp(base[0]).blur(4).jpeg().toBuffer(), await sharp(base[1]).modulate({ brightness: 0.1 }).jpeg().toBuffer(), await syntheticPhoto(5, 320, 240)];
    await analyseImage(models, photos[0] ?? Buffer.alloc(0), 'cleanup');
    baseline = tf.memory().numTensors;
  });

  for (let round = 1; round <= ROUNDS; round++) {
    it(`holds the tensor count at its baseline after each image (images ${(round - 1) * PER_ROUND + 1}–${round * PER_ROUND}): no tensor leaks`, async () => {
      for (let i = 0; i < PER_ROUND; i++, done++) {
        await analyseImage(models, photos[done % photos.length] ?? Buffer.alloc(0), MISSION_TYPES[(done + Math.floor(done / photos.length)) % MISSION_TYPES.length] ?? 'cleanup');
        assert.equal(tf.memory().numTensors, baseline, `tensors after image ${done + 1}`);
      }
    });
  }
});
