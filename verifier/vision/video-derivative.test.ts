import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { frameFaceBoxes } from './frame-faces.ts';
import { FFMPEG } from './frames.ts';
import { loadVisionModels, type VisionModels } from './models.ts';
import { laplacianStats } from './quality.ts';
import { blurVideoFaces, MAX_DERIVATIVE_FRAMES, VIDEO_DERIVATIVE } from './video-derivative.ts';

/** A face photo shipped with @vladmandic/human (the first portrait of its face-detect screenshot). */
const FACE = fileURLToPath(new URL('../../node_modules/@vladmandic/human/assets/screenshot-facedetect.jpg', import.meta.url));
/** Where the face is pasted in the 640×480 test clip. */
const FACE_BOX = { left: 220, top: 140, side: 200 };

function ffmpeg(args: string[]): string {
  const r = spawnSync(FFMPEG, ['-hide_banner', '-nostdin', ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stderr.toString();
}

/** ffmpeg's description of a file (streams, metadata, duration); ffmpeg exits 1 without an output, which is expected here. */
const describeFile = (path: string) => spawnSync(FFMPEG, ['-hide_banner', '-i', path]).stderr.toString();

/** One frame at `timeS` of a video file as RGB at `width`×`height`. */
async function frameAt(path: string, timeS: number, width: number, height: number): Promise<Buffer> {
  const r = spawnSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-ss', String(timeS), '-i', path, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'], { maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr.toString());
  return sharp(r.stdout).resize(width, height, { fit: 'fill' }).removeAlpha().raw().toBuffer();
}

/** Variance of the Laplacian of the luminance inside a rectangle of an RGB image. */
function detail(px: Buffer, width: number, r: { left: number; top: number; width: number; height: number }): number {
  const luma = new Uint8Array(r.width * r.height);
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width; x++) {
      const i = ((r.top + y) * width + r.left + x) * 3;
      luma[y * r.width + x] = Math.round(0.299 * (px[i] ?? 0) + 0.587 * (px[i + 1] ?? 0) + 0.114 * (px[i + 2] ?? 0));
    }
  return laplacianStats(luma, r.width, r.height).sharpness;
}

describe('video public derivative: a short face-blurred MP4 (packaged ffmpeg + human face detector)', () => {
  let dir: string;
  let models: VisionModels;
  let clip: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'video-derivative-test-'));
    models = await loadVisionModels();
    const face = join(dir, 'face.png');
    await writeFile(face, await sharp(FACE).extract({ left: 8, top: 345, width: 150, height: 155 }).resize(FACE_BOX.side, FACE_BOX.side, { fit: 'fill' }).png().toBuffer());
    // 3 s at 25 fps: ffmpeg's test pattern (detail everywhere) with the face pasted in, a 440 Hz tone, and tags a player would not publish.
    clip = join(dir, 'clip.mp4');
    ffmpeg(['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=d=3:s=640x480:r=25', '-loop', '1', '-i', face, '-f', 'lavfi', '-i', 'sine=f=440:d=3',
      '-filter_complex', `[0:v][1:v]overlay=${FACE_BOX.left}:${FACE_BOX.top}:shortest=1[v]`, '-map', '[v]', '-map', '2:a',
      '-metadata', 'title=my street', '-metadata', 'location=+48.8577+002.2945/', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-t', '3', clip]);
    const source = describeFile(clip);
    assert.match(source, /Audio: aac/);
    assert.match(source, /location/);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is a valid H.264 MP4 at reduced size and rate, without audio or the upload\'s metadata, with the face blurred in a sampled frame', async () => {
    const d = await blurVideoFaces(await readFile(clip), (frame) => frameFaceBoxes(models.human, frame));
    assert.deepEqual([d.width, d.height, d.frames], [480, 360, 30]);
    assert.ok(d.facesBlurred >= 1, 'the pasted face was found and blurred');
    const out = join(dir, 'public.mp4');
    await writeFile(out, d.mp4);
    assert.equal(d.mp4.subarray(4, 8).toString('latin1'), 'ftyp');
    const info = describeFile(out);
    assert.match(info, /Video: h264 .*480x360.* 10 fps/);
    assert.doesNotMatch(info, /Audio:/);
    assert.doesNotMatch(info, /location|my street/);
    assert.match(info, /Duration: 00:00:03\.00/);
    // Every packet decodes.
    assert.doesNotMatch(ffmpeg(['-loglevel', 'error', '-i', out, '-f', 'null', '-']), /\S/);

    const scale = 480 / 640;
    const face = { left: Math.round(FACE_BOX.left * scale), top: Math.round(FACE_BOX.top * scale), width: Math.round(FACE_BOX.side * scale), height: Math.round(FACE_BOX.side * scale) };
    const before = await frameAt(clip, 1.5, 480, 360);
    const after = await frameAt(out, 1.5, 480, 360);
    const faceBefore = detail(before, 480, face);
    const faceAfter = detail(after, 480, face);
    assert.ok(faceAfter < faceBefore / 4, `the face lost its detail (Laplacian variance ${faceBefore} → ${faceAfter})`);
    const rest = { left: 0, top: 0, width: 480, height: face.top - 20 };
    const restBefore = detail(before, 480, rest);
    const restAfter = detail(after, 480, rest);
    assert.ok(restAfter > restBefore / 2, `the rest keeps its detail up to re-encoding (${restBefore} → ${restAfter})`);
  });

  it('keeps the stills\' faces stage whole: the frame detector puts antispoof and liveness back', async () => {
    await frameFaceBoxes(models.human, { data: Buffer.alloc(64 * 48 * 3, 128), width: 64, height: 48 });
    assert.equal(models.human.config.face.antispoof?.enabled, true);
    assert.equal(models.human.config.face.liveness?.enabled, true);
  });

  it('is bounded: a long odd-sized upload gives at most MAX_SECONDS at FPS, even-sized, never enlarged', async () => {
    const long = join(dir, 'long.webm');
    ffmpeg(['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=d=30:s=321x241:r=5', '-c:v', 'libvpx', '-b:v', '200k', long]);
    let calls = 0;
    const d = await blurVideoFaces(await readFile(long), async () => {
      calls++;
      return [];
    });
    assert.deepEqual([d.width, d.height, d.facesBlurred], [320, 240, 0]);
    assert.equal(d.frames, MAX_DERIVATIVE_FRAMES);
    assert.equal(calls, MAX_DERIVATIVE_FRAMES);
    const out = join(dir, 'long.mp4');
    await writeFile(out, d.mp4);
    assert.match(describeFile(out), new RegExp(`Duration: 00:00:${String(VIDEO_DERIVATIVE.MAX_SECONDS).padStart(2, '0')}\\.00`));
  });

  it('refuses bytes that are not a video', async () => {
    await assert.rejects(blurVideoFaces(randomBytes(4096), async () => []), /ffmpeg exited/);
  });
});
