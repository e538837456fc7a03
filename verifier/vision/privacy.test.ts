import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { syntheticPhoto } from '../media/fixtures.ts';
import type { FaceBox } from './faces.ts';
import { loadVisionModels } from './models.ts';
import { analyseImage } from './pipeline.ts';
import { laplacianStats } from './quality.ts';
import { derivativeKey, derivativeMediaType } from '../../lib/public-derivative.ts';
import { blurFaces, DERIVATIVE_SIDE, faceRegions, type Region } from './privacy.ts';
import { faceBoxes } from './video.ts';

const raw = async (bytes: Uint8Array) => sharp(bytes).rotate().resize(DERIVATIVE_SIDE, DERIVATIVE_SIDE, { fit: 'inside', withoutEnlargement: true }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
/** The derivative of encoded bytes, from the pixels the vision stages would decode. */
const derivativeOf = async (bytes: Uint8Array, boxes: FaceBox[]) => {
  const { data, info } = await raw(bytes);
  return blurFaces({ data, width: info.width, height: info.height }, boxes);
};

/** Variance of the Laplacian (detail) of the luminance of one region of an RGB image. */
function detail(px: Buffer, width: number, r: Region): number {
  const luma = new Uint8Array(r.width * r.height);
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width; x++) {
      const i = ((r.top + y) * width + r.left + x) * 3;
      luma[y * r.width + x] = Math.round(0.299 * (px[i] ?? 0) + 0.587 * (px[i + 1] ?? 0) + 0.114 * (px[i + 2] ?? 0));
    }
  return laplacianStats(luma, r.width, r.height).sharpness;
}

/** Mean absolute difference per channel inside and outside `regions` of two same-size RGB images. */
function diff(a: Buffer, b: Buffer, width: number, regions: Region[]): { inside: number; outside: number } {
  const inBox = (x: number, y: number) => regions.some((r) => x >= r.left && x < r.left + r.width && y >= r.top && y < r.top + r.height);
  let inSum = 0, inN = 0, outSum = 0, outN = 0;
  for (let i = 0; i < a.length; i++) {
    const p = Math.floor(i / 3);
    const d = Math.abs((a[i] ?? 0) - (b[i] ?? 0));
    if (inBox(p % width, Math.floor(p / width))) { inSum += d; inN++; } else { outSum += d; outN++; }
  }
  return { inside: inSum / inN, outside: outSum / outN };
}

describe('public derivative: faces blurred, metadata stripped', () => {
  it('maps normalised face boxes to clipped pixel regions with a margin', () => {
    assert.deepEqual(faceRegions([[0.5, 0.5, 0.1, 0.2]], 1000, 500), [{ left: 480, top: 230, width: 140, height: 140 }]);
    assert.deepEqual(faceRegions([[-0.05, 0.9, 0.2, 0.2]], 100, 100), [{ left: 0, top: 86, width: 19, height: 14 }]);
    assert.deepEqual(faceRegions([[1.2, 0.5, 0.1, 0.1]], 100, 100), []);
    assert.equal(derivativeKey('proofs/a/b/media', 'image'), 'proofs/a/b/media.public.jpg');
    assert.equal(derivativeKey('proofs/a/b/media', 'video'), 'proofs/a/b/media.public.mp4');
    assert.equal(derivativeMediaType('proofs/a/b/media.public.jpg'), 'image/jpeg');
    assert.equal(derivativeMediaType('proofs/a/b/media.public.mp4'), 'video/mp4');
  });

  it('differs from the original inside each face box, matches it elsewhere, and carries no EXIF', async () => {
    const original = await sharp(await syntheticPhoto(21, 2000, 1500)).withExif({ IFD0: { Copyright: 'player', ImageDescription: 'home address' } }).jpeg({ quality: 95 }).toBuffer();
    assert.ok((await sharp(original).metadata()).exif, 'the original carries EXIF');
    const boxes: FaceBox[] = [[0.2, 0.3, 0.1, 0.15], [0.7, 0.1, 0.05, 0.08]];
    const d = await derivativeOf(original, boxes);
    assert.deepEqual([d.width, d.height, d.facesBlurred], [1024, 768, 2]);
    const meta = await sharp(d.jpeg).metadata();
    assert.equal(meta.exif, undefined);
    assert.equal(meta.xmp, undefined);
    const a = await raw(original);
    const b = await raw(d.jpeg);
    const regions = faceRegions(boxes, a.info.width, a.info.height);
    for (const r of regions) {
      const before = detail(a.data, a.info.width, r);
      const after = detail(b.data, b.info.width, r);
      assert.ok(after < before / 10, `face box ${JSON.stringify(r)} lost its detail (Laplacian variance ${before} → ${after})`);
    }
    const m = diff(a.data, b.data, a.info.width, regions);
    assert.ok(m.inside > m.outside, `face boxes changed more than the rest (mean |Δ| ${m.inside.toFixed(2)} vs ${m.outside.toFixed(2)})`);
    assert.ok(m.outside < 3, `rest unchanged up to JPEG re-encoding (mean |Δ| ${m.outside.toFixed(2)})`);
  });

  it('blurs the face the packaged detector finds in a photo shipped with @vladmandic/human', async () => {
    const models = await loadVisionModels();
    const photo = await sharp(fileURLToPath(new URL('../../node_modules/@vladmandic/human/assets/samples.jpg', import.meta.url)))
      .extract({ left: 330, top: 0, width: 205, height: 156 })
      .resize({ width: 820 })
      .jpeg()
      .toBuffer();
    const analysis = await analyseImage(models, photo, 'education');
    const boxes = faceBoxes(analysis);
    assert.ok(boxes.length >= 1, 'a face is found');
    const d = await blurFaces(analysis.pixels, boxes);
    assert.equal(d.facesBlurred, boxes.length);
    const a = await raw(photo);
    const b = await raw(d.jpeg);
    const regions = faceRegions(boxes, a.info.width, a.info.height);
    // An upscaled thumbnail is soft already: its face keeps less than a third of its detail.
    for (const r of regions) {
      const before = detail(a.data, a.info.width, r);
      const after = detail(b.data, b.info.width, r);
      assert.ok(after < before / 3, `the face lost its detail (Laplacian variance ${before} → ${after})`);
    }
    const m = diff(a.data, b.data, a.info.width, regions);
    assert.ok(m.inside > 3 * m.outside, `inside ${m.inside.toFixed(2)} vs outside ${m.outside.toFixed(2)}`);
  });
});
