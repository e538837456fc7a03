import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadVerifierConfig, testServices } from '../../lib/config.ts';
import { Storage } from '../../lib/storage.ts';
import { checkUploaded } from '../../api/proofs/media.ts';
import { FFMPEG, MAX_FRAMES, sampleFrames, thinOut } from './frames.ts';
import { mergeFrameFlags } from './video.ts';

/** A 2 s 640×480 clip encoded by the packaged ffmpeg: test pattern, a hard cut at 1 s, colour bars. */
function clip(dir: string, name: string, codec: string[]): Promise<Buffer> {
  const out = join(dir, name);
  const r = spawnSync(FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=d=1:s=640x480:r=10', '-f', 'lavfi', '-i', 'smptebars=d=1:s=640x480:r=10',
    '-filter_complex', '[0:v][1:v]concat=n=2:v=1[v]', '-map', '[v]', ...codec, out,
  ]);
  assert.equal(r.status, 0, r.stderr.toString());
  return readFile(out);
}

describe('video frame sampling with the packaged ffmpeg', () => {
  let dir: string;
  let mp4: Buffer;
  let webm: Buffer;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'frames-test-'));
    mp4 = await clip(dir, 'a.mp4', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart']);
    webm = await clip(dir, 'a.webm', ['-c:v', 'libvpx', '-b:v', '500k']);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const kind of ['mp4', 'webm'] as const) {
    it(`samples first, middle, scene cut and last frame of an ${kind}`, async () => {
      const frames = await sampleFrames(kind === 'mp4' ? mp4 : webm);
      assert.deepEqual(frames.map((f) => [f.index, f.timeS]), [[0, 0], [1, 0.9], [2, 1], [3, 1.9]]);
      for (const f of frames) {
        const meta = await sharp(f.jpeg).metadata();
        assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 640, 480]);
      }
    });
  }

  it('refuses bytes that are not a video', async () => {
    await assert.rejects(sampleFrames(randomBytes(4096)), /ffmpeg exited/);
  });

  it('thins long lists out evenly, keeping first and last', () => {
    const xs = Array.from({ length: 40 }, (_, i) => i);
    const kept = thinOut(xs, MAX_FRAMES);
    assert.equal(kept.length, MAX_FRAMES);
    assert.equal(kept[0], 0);
    assert.equal(kept.at(-1), 39);
    assert.deepEqual(thinOut([1, 2, 3], MAX_FRAMES), [1, 2, 3]);
  });

  it('merges frame flags: unsafe content from any frame, a re-filmed screen from half of them, the rest only when every frame has them', () => {
    assert.deepEqual(mergeFrameFlags([['blurry', 'no_expected_objects'], ['no_expected_objects', 'unsafe_content'], ['no_expected_objects']]), ['no_expected_objects', 'unsafe_content']);
    assert.deepEqual(mergeFrameFlags([['screen_or_print_photo'], []]), ['screen_or_print_photo']);
    assert.deepEqual(mergeFrameFlags([['screen_or_print_photo'], [], []]), [], 'one re-filmed-looking frame in three is the liveness check\'s noise');
    assert.deepEqual(mergeFrameFlags([['screen_or_print_photo'], ['screen_or_print_photo', 'blurry'], []]), ['screen_or_print_photo']);
    assert.deepEqual(mergeFrameFlags([]), []);
  });

  it('lets the API accept an uploaded WebM as evidence', async () => {
    const s = testServices();
    const storage = new Storage(loadVerifierConfig({
      NODE_ENV: 'test', DATABASE_URL: 'postgresql://unused@127.0.0.1/unused', REDIS_URL: s.REDIS_URL, S3_ENDPOINT: s.S3_ENDPOINT, S3_BUCKET: `frames-${randomBytes(4).toString('hex')}`,
    }));
    try {
      await storage.ensureBucket();
      await storage.put('clip', webm, 'video/webm');
      const checked = await checkUploaded(storage, 'clip', createHash('sha256').update(webm).digest('hex'));
      assert.equal(checked.mediaType, 'video/webm');
    } finally {
      storage.destroy();
    }
  });
});
