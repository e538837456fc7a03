import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FaceBox } from './faces.ts';
import { FFMPEG } from './frames.ts';
import type { RawRgb } from './pipeline.ts';
import { blurRegions } from './privacy.ts';

/**
 * The public copy of a video evidence: a short, small MP4 for the public
 * page. Longer side ≤ SIDE px, FPS frames a second, at most MAX_SECONDS
 * (so at most FPS × MAX_SECONDS frames are decoded, searched for faces and
 * encoded, whatever the upload's length), H.264 without audio.
 */
export const VIDEO_DERIVATIVE = { SIDE: 480, FPS: 10, MAX_SECONDS: 10, CRF: 28 } as const;
export const MAX_DERIVATIVE_FRAMES = VIDEO_DERIVATIVE.FPS * VIDEO_DERIVATIVE.MAX_SECONDS;

export interface VideoDerivative {
  mp4: Buffer;
  width: number;
  height: number;
  /** Most faces blurred in any one frame. */
  facesBlurred: number;
  frames: number;
}

/** Face boxes (normalised) in one decoded frame. */
export type FrameFaces = (frame: RawRgb) => Promise<readonly FaceBox[]>;

function ffmpeg(args: string[]): { child: ChildProcessWithoutNullStreams; done: Promise<void> } {
  const child = spawn(FFMPEG, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args]);
  // A write to an encoder that died fails with EPIPE: its exit code rejects `done`, which the caller awaits.
  child.stdin.on('error', () => undefined);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${String(code)}: ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`))));
  });
  // Marks `done` handled while the caller is busy elsewhere; the caller still awaits it and sees the failure.
  done.catch(() => undefined);
  return { child, done };
}

const PPM_HEADER = /^P6\s(\d+)\s(\d+)\s255\s/;

/** Splits ffmpeg's image2pipe PPM stream ("P6\n<w> <h>\n255\n" + RGB bytes, per frame) into frames. */
async function* ppmFrames(stream: AsyncIterable<Buffer>): AsyncGenerator<RawRgb> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      const header = PPM_HEADER.exec(pending.subarray(0, 32).toString('latin1'));
      if (!header) {
        if (pending.length >= 32) throw new Error('ffmpeg wrote a frame that is not a PPM image');
        break;
      }
      const width = Number(header[1]);
      const height = Number(header[2]);
      const end = header[0].length + width * height * 3;
      if (pending.length < end) break;
      yield { data: Buffer.from(pending.subarray(header[0].length, end)), width, height };
      pending = pending.subarray(end);
    }
  }
  if (pending.length) throw new Error('ffmpeg stopped inside a frame');
}

/** Even-sized scale to fit SIDE × SIDE, never enlarging (H.264 4:2:0 needs even sides). */
const SCALE = (() => {
  const f = `min(1,min(${VIDEO_DERIVATIVE.SIDE}/iw,${VIDEO_DERIVATIVE.SIDE}/ih))`;
  return `scale=w='max(2,trunc(${f}*iw/2)*2)':h='max(2,trunc(${f}*ih/2)*2)',setsar=1`;
})();

/**
 * The face-blurred public copy of a video: ffmpeg decodes at most
 * MAX_SECONDS of its first video stream at FPS and ≤ SIDE px, `faces` finds
 * the faces in each frame, every face (margin included, as for stills) is
 * blurred, and ffmpeg encodes the frames as H.264 MP4 (faststart, so the
 * page can play it while loading). Only the blurred frames reach the
 * encoder: no audio, subtitle or data stream and no metadata (title, GPS,
 * creation time) of the upload survive. Throws when ffmpeg cannot read the
 * bytes as a video.
 */
export async function blurVideoFaces(video: Uint8Array, faces: FrameFaces): Promise<VideoDerivative> {
  const dir = await mkdtemp(join(tmpdir(), 'video-derivative-'));
  const input = join(dir, 'input');
  const output = join(dir, 'public.mp4');
  let decoder: ReturnType<typeof ffmpeg> | null = null;
  let encoder: ReturnType<typeof ffmpeg> | null = null;
  try {
    await writeFile(input, video);
    decoder = ffmpeg(['-i', input, '-map', '0:v:0', '-t', String(VIDEO_DERIVATIVE.MAX_SECONDS), '-vf', `fps=${VIDEO_DERIVATIVE.FPS},${SCALE}`,
      '-frames:v', String(MAX_DERIVATIVE_FRAMES), '-f', 'image2pipe', '-c:v', 'ppm', 'pipe:1']);
    let size: { width: number; height: number } | null = null;
    let frames = 0;
    let facesBlurred = 0;
    for await (const decoded of ppmFrames(decoder.child.stdout)) {
      size ??= { width: decoded.width, height: decoded.height };
      // A stream whose size changes mid-way: every frame is brought to the first one's size.
      const frame = decoded.width === size.width && decoded.height === size.height ? decoded
        : { ...size, data: await sharp(decoded.data, { raw: { width: decoded.width, height: decoded.height, channels: 3 } }).resize(size.width, size.height, { fit: 'fill' }).raw().toBuffer() };
      encoder ??= ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${size.width}x${size.height}`, '-framerate', String(VIDEO_DERIVATIVE.FPS), '-i', 'pipe:0',
        '-map_metadata', '-1', '-map_chapters', '-1', '-an', '-sn', '-dn', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(VIDEO_DERIVATIVE.CRF),
        '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-f', 'mp4', output]);
      const blurred = await blurRegions(frame, await faces(frame));
      facesBlurred = Math.max(facesBlurred, blurred.regions);
      frames++;
      if (!encoder.child.stdin.write(blurred.data)) await Promise.race([once(encoder.child.stdin, 'drain'), encoder.done]);
    }
    await decoder.done;
    if (!encoder || !size) throw new Error('video has no frames');
    encoder.child.stdin.end();
    await encoder.done;
    return { mp4: await readFile(output), ...size, facesBlurred, frames };
  } finally {
    decoder?.child.kill();
    encoder?.child.kill();
    await Promise.allSettled([decoder?.done, encoder?.done]);
    await rm(dir, { recursive: true, force: true });
  }
}
