import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { mulberry32 } from '../../lib/mulberry32.ts';
import { decodeImage } from './decode.ts';
import { renderedScene } from './eval-images.ts';
import { edgeSharpness, QUALITY_LIMITS, qualityStage } from './quality.ts';

/** The quality stage's flags and detail on JPEG bytes (no model involved). */
async function quality(bytes: Buffer) {
  const decoded = await decodeImage(bytes);
  decoded.tensor.dispose();
  return qualityStage(decoded);
}

describe('quality stage: blur from edge width, exposure, resolution', () => {
  let scene: Buffer;
  before(async () => {
    // A rendered outdoor scene (800×600): hard-edged shapes under a little sensor noise.
    scene = await renderedScene(32_001);
  });

  it('calls a barely softened copy (σ 1) sharp and a blurred one (σ 3) blurry', async () => {
    const clean = await quality(scene);
    const soft = await quality(await sharp(scene).blur(1).jpeg({ quality: 90 }).toBuffer());
    const blurred = await quality(await sharp(scene).blur(3).jpeg({ quality: 90 }).toBuffer());
    assert.deepEqual(clean.flags, []);
    assert.deepEqual(soft.flags, [], `σ 1 edge sharpness ${soft.detail.edgeSharpness}`);
    assert.deepEqual(blurred.flags, ['blurry'], `σ 3 edge sharpness ${blurred.detail.edgeSharpness}`);
    assert.ok(clean.detail.edgeSharpness > soft.detail.edgeSharpness && soft.detail.edgeSharpness > blurred.detail.edgeSharpness);
  });

  it('does not call a sharp picture blurry because its contrast is low', async () => {
    // A third of the contrast around mid-grey: the Laplacian's variance falls ~9×, the edges stay as narrow.
    const flat = await quality(await sharp(scene).linear(0.33, 85).jpeg({ quality: 90 }).toBuffer());
    const clean = await quality(scene);
    assert.deepEqual(flat.flags, [], `edge sharpness ${flat.detail.edgeSharpness}`);
    assert.ok(flat.detail.laplacianVariance < clean.detail.laplacianVariance / 4);
    assert.ok(Math.abs(flat.detail.edgeSharpness - clean.detail.edgeSharpness) < 0.5);
  });

  it('flags a dark or blown-out picture for its exposure only, not as blurry', async () => {
    const dark = await quality(await sharp(scene).linear(0.1, 0).jpeg({ quality: 90 }).toBuffer());
    const blown = await quality(await sharp(scene).linear(2.5, 120).jpeg({ quality: 90 }).toBuffer());
    assert.deepEqual(dark.flags, ['under_exposed']);
    assert.deepEqual(blown.flags, ['over_exposed']);
    assert.deepEqual((await quality(await sharp({ create: { width: 800, height: 600, channels: 3, background: '#050505' } }).jpeg().toBuffer())).flags, ['under_exposed']);
  });

  it('does not take sensor noise for detail: a blurred picture under heavy noise is still blurry, a sharp one is not', async () => {
    const noisy = async (img: Buffer) => {
      const rnd = mulberry32(20);
      const { data, info } = await sharp(img).raw().toBuffer({ resolveWithObject: true });
      for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, (data[i] ?? 0) + Math.round((rnd() - 0.5) * 40)));
      return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: 90 }).toBuffer();
    };
    const blurred = await quality(await noisy(await sharp(scene).blur(3).toBuffer()));
    const sharpNoisy = await quality(await noisy(scene));
    assert.deepEqual(blurred.flags, ['blurry'], `σ 3 + noise edge sharpness ${blurred.detail.edgeSharpness}`);
    assert.deepEqual(sharpNoisy.flags, [], `noise edge sharpness ${sharpNoisy.detail.edgeSharpness}`);
  });

  it('calls a featureless picture blurry and a small one low resolution', async () => {
    const plain = await quality(await sharp({ create: { width: 800, height: 600, channels: 3, background: '#4a7ab0' } }).jpeg().toBuffer());
    assert.equal(plain.detail.edgeSharpness, 0);
    assert.deepEqual(plain.flags, ['blurry']);
    const small = await quality(await sharp(scene).resize({ width: 400 }).jpeg({ quality: 90 }).toBuffer());
    assert.deepEqual(small.flags, ['low_resolution']);
    assert.deepEqual([small.detail.width, small.detail.height], [400, 300]);
  });

  it('scores a step edge near 4 and a ramp wider than the coarse step near 1, whatever their height', () => {
    const width = 64;
    const height = 32;
    const image = (profile: (x: number) => number) => Uint8Array.from({ length: width * height }, (_, i) => Math.round(profile(i % width)));
    const step = (high: number) => image((x) => (x < 32 ? 20 : 20 + high));
    const ramp = (high: number) => image((x) => 20 + high * Math.min(1, Math.max(0, (x - 16) / 32)));
    for (const high of [40, 200]) {
      assert.ok(Math.abs(edgeSharpness(step(high), width, height) - 4) < 0.01, `step ${high}`);
      assert.ok(edgeSharpness(ramp(high), width, height) < 1.2, `ramp ${high}`);
      assert.ok(edgeSharpness(ramp(high), width, height) < QUALITY_LIMITS.minEdgeSharpness);
    }
  });
});
