/**
 * npm run bench:vision [-- --images 40 --workers 1,2] — the whole vision
 * pipeline (decode, faces + antispoof + liveness, objects, unsafe content,
 * quality, face-blurred derivative, near-duplicate descriptor) on generated
 * 1–3 MB JPEGs (the unsafe stage's time includes the one MobileNetV2 forward
 * of image and mirror that the descriptor's features come from), in 1 and then
 * 2 worker processes (each loads its own models, one WASM thread each):
 * images/s by wall clock and by CPU time per image, p50/p99 per stage, peak
 * RSS per worker. Prints figures; asserts nothing about time.
 *
 * npm run bench:vision -- --memory 10000 [--every 1000] — one process runs
 * that many of the JPEGs through the pipeline, the derivative and the
 * descriptor, and prints RSS, V8 heap,
 * external memory and the TF.js tensor count every `--every` images.
 */
import { fork } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { MISSION_TYPES } from '../../api/routes/schemas.ts';
import { syntheticPhoto } from '../media/fixtures.ts';
import { loadVisionModels } from './models.ts';
import { describeImage } from './descriptor.ts';
import { analyseImage } from './pipeline.ts';
import { blurFaces } from './privacy.ts';
import { faceBoxes } from './video.ts';

const SIZES = [
  [2400, 1800, 95],
  [2800, 2100, 96],
  [3000, 2250, 97],
  [2600, 1950, 98],
] as const;
const STAGES = ['decode', 'faces', 'objects', 'unsafe', 'quality', 'derivative', 'descriptor', 'total'] as const;
type Timings = Record<(typeof STAGES)[number], number[]>;
interface ChildReport {
  timings: Timings;
  peakRssMb: number;
  rssAfterWarmMb: number;
  loadS: number;
  version: string;
  /** User + system CPU time of the worker while it analysed its images. */
  cpuMs: number;
}

const opt = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const mb = (bytes: number) => bytes / 1024 / 1024;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

/** Worker process: load models, say ready, analyse its share of images on "go", report timings. */
async function child(dir: string, count: number, offset: number): Promise<void> {
  const files = SIZES.map((_, i) => join(dir, `${i}.jpg`));
  const images = await Promise.all(files.map((f) => readFile(f)));
  const t0 = performance.now();
  const models = await loadVisionModels();
  const loadS = (performance.now() - t0) / 1000;
  const rssAfterWarmMb = mb(process.memoryUsage().rss);
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send?.('ready');
  });
  const timings = Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Timings;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const bytes = images[(offset + i) % images.length];
    if (!bytes) throw new Error('no image');
    const a = await analyseImage(models, bytes, MISSION_TYPES[(offset + i) % MISSION_TYPES.length] ?? 'cleanup');
    for (const s of a.stages) timings[s.stage].push(s.ms);
    timings.decode.push(a.ms - a.descriptorMs - a.stages.reduce((sum, s) => sum + s.ms, 0));
    // What the worker does next with every image: the face-blurred public derivative.
    const t = performance.now();
    await blurFaces(a.pixels, faceBoxes(a));
    const derivativeMs = performance.now() - t;
    timings.derivative.push(derivativeMs);
    // ...and the visual near-duplicate descriptor, as duplicates.ts asks for it (the index lookup is bench:vision-dups):
    // the analysis already made it from the unsafe stage's forward, so this is that projection plus the hand-over.
    const d = performance.now();
    await describeImage(models, bytes);
    const handOverMs = performance.now() - d;
    timings.descriptor.push(a.descriptorMs + handOverMs);
    timings.total.push(a.ms + derivativeMs + handOverMs);
  }
  const cpu = process.cpuUsage(cpu0);
  const report: ChildReport = { timings, peakRssMb: process.resourceUsage().maxRSS / 1024, rssAfterWarmMb, loadS, version: models.version, cpuMs: (cpu.user + cpu.system) / 1000 };
  process.send?.(report, () => process.exit(0));
}

async function run(dir: string, images: number, workers: number): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const share = Math.ceil(images / workers);
  const kids = Array.from({ length: workers }, (_, w) => fork(self, ['--child', dir, String(share), String(w * share)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  await Promise.all(kids.map((k) => new Promise((resolve, reject) => {
    k.once('message', resolve);
    k.once('exit', (code) => reject(new Error(`worker exited ${String(code)} before ready`)));
  })));
  const t0 = performance.now();
  const reports = await Promise.all(kids.map((k) => {
    const done = new Promise<ChildReport>((resolve) => k.once('message', (m) => resolve(m as ChildReport)));
    k.send('go');
    return done;
  }));
  const wall = (performance.now() - t0) / 1000;
  const all = (stage: (typeof STAGES)[number]) => reports.flatMap((r) => r.timings[stage]);
  const n = all('total').length;
  const cpuPerImage = reports.reduce((sum, r) => sum + r.cpuMs, 0) / n;
  console.log(`\n${workers} worker(s): ${n} images in ${wall.toFixed(1)} s → ${(n / wall).toFixed(2)} images/s (wall clock)`);
  console.log(`  CPU ${cpuPerImage.toFixed(0)} ms per image → ${((workers * 1000) / cpuPerImage).toFixed(2)} images/s if each worker had a core to itself`);
  console.log(`  model load + warm-up ${reports.map((r) => `${r.loadS.toFixed(1)} s`).join(', ')}; model version ${reports[0]?.version.slice(0, 16) ?? ''}… (${new Set(reports.map((r) => r.version)).size} distinct)`);
  console.log('  stage      p50 ms   p99 ms');
  for (const s of STAGES) console.log(`  ${s.padEnd(9)} ${pct(all(s), 50).toFixed(0).padStart(7)} ${pct(all(s), 99).toFixed(0).padStart(8)}`);
  console.log(`  RSS per worker after warm-up ${reports.map((r) => `${r.rssAfterWarmMb.toFixed(0)} MB`).join(', ')}; peak ${reports.map((r) => `${r.peakRssMb.toFixed(0)} MB`).join(', ')}`);
}

/** Long run in this process: memory figures every `every` images. */
async function memoryRun(jpegs: Buffer[], count: number, every: number): Promise<void> {
  const models = await loadVisionModels();
  const line = (i: number, t0: number) => {
    const m = process.memoryUsage();
    const t = tf.memory();
    console.log(`  ${String(i).padStart(6)} images  RSS ${mb(m.rss).toFixed(0).padStart(5)} MB  heap ${mb(m.heapUsed).toFixed(0).padStart(4)} MB  external ${mb(m.external).toFixed(0).padStart(4)} MB  tensors ${t.numTensors}  tensor bytes ${mb(t.numBytes).toFixed(1)} MB  ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  };
  console.log(`\nmemory run: ${count} images in one process (analysis, derivative, descriptor)`);
  const t0 = performance.now();
  line(0, t0);
  for (let i = 1; i <= count; i++) {
    const bytes = jpegs[i % jpegs.length];
    if (!bytes) throw new Error('no image');
    const a = await analyseImage(models, bytes, MISSION_TYPES[i % MISSION_TYPES.length] ?? 'cleanup');
    await blurFaces(a.pixels, faceBoxes(a));
    await describeImage(models, bytes);
    if (i % every === 0 || i === count) line(i, t0);
  }
  console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] ?? '', Number(process.argv[4]), Number(process.argv[5]));
} else {
  const images = Number(opt('--images', '40'));
  const workerCounts = opt('--workers', '1,2').split(',').map(Number);
  const dir = await mkdtemp(join(tmpdir(), 'bench-vision-'));
  try {
    const t = performance.now();
    const jpegs = await Promise.all(SIZES.map(([w, h, q], i) => syntheticPhoto(100 + i, w, h, q)));
    await Promise.all(jpegs.map((b, i) => writeFile(join(dir, `${i}.jpg`), b)));
    console.log(`generated ${jpegs.length} JPEGs (${jpegs.map((b) => `${mb(b.length).toFixed(1)} MB`).join(', ')}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const memory = Number(opt('--memory', '0'));
    if (memory > 0) await memoryRun(jpegs, memory, Number(opt('--every', '1000')));
    else for (const w of workerCounts) await run(dir, images, w);
    console.log('\n(the 2-core machine is shared with other jobs: wall-clock figures are noisy)');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
