import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The static ffmpeg binary shipped in npm (@ffmpeg-installer/ffmpeg); no system ffmpeg, no network. */
export const FFMPEG: string = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
/** ffmpeg's scene score above which a frame starts a new scene. */
export const SCENE_THRESHOLD = 0.3;
/** Most frames analysed per video: first and last always, the rest evenly among middle and scene changes. */
export const MAX_FRAMES = 12;

export interface SampledFrame {
  /** Ordinal of the sample in the video (0 = first frame). */
  index: number;
  /** Presentation time of the frame in seconds. */
  timeS: number;
  /** The frame as a JPEG. */
  jpeg: Buffer;
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(FFMPEG, ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(stderr) : reject(new Error(`ffmpeg exited ${String(code)}: ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`))));
  });
}

/** Keeps the first and last and at most `max` frames in all, evenly spread. */
export function thinOut<T>(frames: T[], max: number): T[] {
  if (frames.length <= max) return frames;
  const step = (frames.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => frames[Math.round(i * step)]).filter((f): f is T => f !== undefined);
}

/**
 * Samples a video's frames for the vision stages: the first, the middle, the
 * last and every scene change (ffmpeg `select='gt(scene,0.3)'`), at most
 * MAX_FRAMES, as JPEGs with their times. Two ffmpeg runs: a stream copy
 * counts the frames, one decode selects them. Throws when ffmpeg cannot read
 * the bytes as a video.
 */
export async function sampleFrames(video: Uint8Array): Promise<SampledFrame[]> {
  const dir = await mkdtemp(join(tmpdir(), 'vision-frames-'));
  try {
    const input = join(dir, 'input');
    await writeFile(input, video);
    const counted = await run(['-i', input, '-map', '0:v:0', '-c', 'copy', '-f', 'null', '-']);
    const total = Number([...counted.matchAll(/frame=\s*(\d+)/g)].pop()?.[1] ?? 0);
    if (total < 1) throw new Error('video has no frames');
    const middle = Math.floor((total - 1) / 2);
    const select = `select='eq(n\\,0)+eq(n\\,${middle})+eq(n\\,${total - 1})+gt(scene\\,${SCENE_THRESHOLD})',showinfo`;
    const log = await run(['-i', input, '-map', '0:v:0', '-vf', select, '-vsync', 'vfr', '-q:v', '2', join(dir, 'frame-%05d.jpg')]);
    const times = [...log.matchAll(/\] n:\s*\d+ .*?pts_time:\s*([0-9.]+)/g)].map((m) => Number(m[1]));
    const files = (await readdir(dir)).filter((f) => f.startsWith('frame-')).sort();
    const frames = await Promise.all(files.map(async (f, i) => ({ index: i, timeS: Math.round((times[i] ?? 0) * 1000) / 1000, jpeg: await readFile(join(dir, f)) })));
    return thinOut(frames, MAX_FRAMES).map((f, index) => ({ ...f, index }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
