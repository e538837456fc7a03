import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { syntheticPhoto } from '../media/fixtures.ts';
import { decodeImage } from './decode.ts';
import { describeImage, featuresDescriptor, imageFeatures, passFeatures, similarity } from './descriptor.ts';
import { FEATURE_LAYER, FEATURES, INPUT_SIDE, mobileNetPass, networkInput } from './mobilenet.ts';
import { loadVisionModels, type VisionModels } from './models.ts';
import { analyseImage } from './pipeline.ts';
import { predictionsOf, unsafeStage } from './unsafe.ts';

/** The features nsfwjs's own intermediate model gives for 224² RGB bytes, pooled over the 7×7 grid as mobileNetPass pools. */
function nsfwjsPooled(models: VisionModels, input: Uint8Array): Float32Array {
  return tf.tidy(() => {
    const image = tf.tensor3d(new Int32Array(input), [INPUT_SIDE, INPUT_SIDE, 3], 'int32');
    return (models.nsfw.infer(image, FEATURE_LAYER) as tf.Tensor4D).max([0, 1, 2]).dataSync() as Float32Array;
  });
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a, (x, i) => Math.abs(x - (b[i] ?? NaN))).reduce((m, d) => Math.max(m, d), 0);

describe('one MobileNetV2 forward for the unsafe stage and the descriptor (WASM)', () => {
  let models: VisionModels;
  let photo: Buffer;
  let input: Buffer;
  before(async () => {
    models = await loadVisionModels();
    photo = await syntheticPhoto(21, 1200, 900);
    const decoded = await decodeImage(photo);
    decoded.tensor.dispose();
    input = await networkInput({ data: decoded.rgb, width: decoded.lumaWidth, height: decoded.lumaHeight });
  });

  it('gives the classes nsfwjs classify() gives, and the features of its intermediate model for the image and for the mirror image', async () => {
    const pass = mobileNetPass(models.mobileNet, input);
    const image = tf.tensor3d(new Int32Array(input), [INPUT_SIDE, INPUT_SIDE, 3], 'int32');
    const classified = await models.nsfw.classify(image, 5);
    image.dispose();
    const ours = predictionsOf(pass.classes);
    assert.deepEqual(ours.map((p) => p.className), classified.map((p) => p.className));
    assert.ok(maxDiff(ours.map((p) => p.probability), classified.map((p) => p.probability)) < 1e-5);
    assert.deepEqual(unsafeStage(ours), unsafeStage(classified));

    const mirrored = Buffer.from(await sharp(input, { raw: { width: INPUT_SIDE, height: INPUT_SIDE, channels: 3 } }).flop().raw().toBuffer());
    assert.equal(pass.pooled[0].length, FEATURES);
    assert.ok(maxDiff(pass.pooled[0], nsfwjsPooled(models, input)) < 1e-4, 'image features');
    assert.ok(maxDiff(pass.pooled[1], nsfwjsPooled(models, mirrored)) < 1e-4, 'mirror features');
  });

  it('leaves no tensor behind', () => {
    mobileNetPass(models.mobileNet, input);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) mobileNetPass(models.mobileNet, input);
    assert.equal(tf.memory().numTensors, before);
  });

  it('feeds the network the image without its plain border', async () => {
    const framed = await sharp(photo).extend({ top: 70, bottom: 70, left: 70, right: 70, background: '#c03020' }).jpeg({ quality: 90 }).toBuffer();
    const decoded = await decodeImage(framed);
    decoded.tensor.dispose();
    const trimmed = await networkInput({ data: decoded.rgb, width: decoded.lumaWidth, height: decoded.lumaHeight });
    assert.equal(trimmed.length, INPUT_SIDE * INPUT_SIDE * 3);
    let sum = 0;
    for (let i = 0; i < trimmed.length; i++) sum += Math.abs((trimmed[i] ?? 0) - (input[i] ?? 0));
    assert.ok(sum / trimmed.length < 12, `mean difference ${sum / trimmed.length} per byte from the unframed photo`);
    const plain = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#4a7ab0' } }).raw().toBuffer();
    assert.equal((await networkInput({ data: plain, width: 400, height: 300 })).length, INPUT_SIDE * INPUT_SIDE * 3, 'an all-border image is kept whole');
  });

  it('gives the analysis a descriptor equal to describing the image on its own', async () => {
    const a = await analyseImage(models, photo, 'cleanup');
    const alone = await describeImage(models, photo);
    assert.ok(similarity(alone, a.descriptor) > 0.99999, `cosine ${similarity(alone, a.descriptor)}`);
    assert.ok(similarity(featuresDescriptor(await imageFeatures(models, photo)), featuresDescriptor(passFeatures(mobileNetPass(models.mobileNet, input)))) > 0.99999);
  });
});
