/**
 * npm run bench:vision [-- --images 30] — the whole vision pipeline (decode,
 * faces + antispoof + liveness, objects, unsafe content, quality) on
 * generated 1–3 MB JPEGs in one process on the WASM backend: images/s,
 * p50/p99 per stage, RSS. Prints figures; asserts nothing about time.
 */
import { syntheticPhoto } from '../media/fixtures.ts';
import { MISSION_TYPES } from '../../api/routes/schemas.ts';
import { loadVisionModels } from './models.ts';
import { analyseImage } from './pipeline.ts';

const arg = process.argv.indexOf('--images');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 30;
const SIZES = [
  [2400, 1800, 95],
  [2800, 2100, 96],
  [3000, 2250, 97],
  [2600, 1950, 98],
] as const;

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

let t = performance.now();
const images = await Promise.all(SIZES.map(([w, h, q], i) => syntheticPhoto(100 + i, w, h, q)));
console.log(`generated ${images.length} JPEGs (${images.map((b) => `${mb(b.length)} MB`).join(', ')}) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const rss0 = process.memoryUsage().rss;
t = performance.now();
const models = await loadVisionModels();
console.log(`models loaded + warmed up in ${((performance.now() - t) / 1000).toFixed(1)} s, version ${models.version.slice(0, 16)}…, RSS ${mb(process.memoryUsage().rss)} MB (was ${mb(rss0)} MB)`);

const times: Record<string, number[]> = { decode: [], faces: [], objects: [], unsafe: [], quality: [], total: [] };
const rssAfterWarm = process.memoryUsage().rss;
t = performance.now();
for (let i = 0; i < N; i++) {
  const bytes = images[i % images.length];
  if (!bytes) throw new Error('no image');
  const a = await analyseImage(models, bytes, MISSION_TYPES[i % MISSION_TYPES.length] ?? 'cleanup');
  for (const s of a.stages) times[s.stage]?.push(s.ms);
  times.decode?.push(a.ms - a.stages.reduce((sum, s) => sum + s.ms, 0));
  times.total?.push(a.ms);
}
const wall = (performance.now() - t) / 1000;

console.log(`\n${N} images in ${wall.toFixed(1)} s → ${(N / wall).toFixed(2)} images/s (one process, one WASM thread)\n`);
console.log('stage      p50 ms   p99 ms');
for (const [stage, xs] of Object.entries(times)) console.log(`${stage.padEnd(9)} ${pct(xs, 50).toFixed(0).padStart(7)} ${pct(xs, 99).toFixed(0).padStart(8)}`);
const peak = process.resourceUsage().maxRSS / 1024;
console.log(`\nRSS after warm-up ${mb(rssAfterWarm)} MB, after run ${mb(process.memoryUsage().rss)} MB, peak ${peak.toFixed(0)} MB`);
console.log('(the machine is shared: wall-clock figures are noisy)');
