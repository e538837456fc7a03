// `npm run bench:api -- --stalls`: the slow mixed reads lined up with the stalls (stall-probe.ts) of the API process
// and of the load generator over the same time, as lines to print. The API keeps writing its file (os.tmpdir()/oneheart-stalls/<pid>.jsonl)
// to its end: it is left there to look at.
import { readFile } from 'node:fs/promises';
import type { OpenLoopResult } from './open-loop.ts';
import { STALL_MS, type Stall } from './stall-probe.ts';

const overlaps = (s: Stall, r: { at: number; ms: number }) => s.at < r.at + r.ms && r.at < s.at + s.ms;

function summary(name: string, stalls: Stall[]): string {
  const by = new Map<string, number[]>();
  for (const s of stalls) by.set(s.what, [...(by.get(s.what) ?? []), s.ms]);
  const parts = [...by].map(([what, ms]) => `${what} ×${ms.length} (max ${Math.max(...ms).toFixed(0)} ms, total ${ms.reduce((a, b) => a + b, 0).toFixed(0)} ms)`);
  return `${name}: ${parts.length ? parts.join(', ') : 'none'}`;
}

/** `kinds[i % kinds.length]` is the kind of read i; `apiFile` holds the API's stalls, one JSON line each. */
export async function explainStalls(reads: OpenLoopResult, kinds: string[], loadStalls: Stall[], apiFile: string, window: { from: number; to: number }): Promise<string[]> {
  const text = await readFile(apiFile, 'utf8').catch(() => '');
  const api = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Stall).filter((s) => s.at + s.ms >= window.from && s.at <= window.to);
  const causes = (r: { at: number; ms: number }) => [
    ...api.filter((s) => overlaps(s, r)).map((s) => `API ${s.what} ${s.ms.toFixed(0)} ms${s.heapMb === undefined ? '' : ` (heap ${s.heapMb} MB after)`}`),
    ...loadStalls.filter((s) => overlaps(s, r)).map((s) => `load ${s.what} ${s.ms.toFixed(0)} ms`),
  ];
  const slow = [...reads.slow].sort((a, b) => b.ms - a.ms);
  const explained = slow.filter((r) => causes(r).length > 0).length;
  const t = (at: number) => `+${((at - window.from) / 1000).toFixed(2)} s`;
  return [
    `stalls ≥ ${STALL_MS} ms during the mixed reads (GC pauses; 'loop' = the event loop blocked that long):`,
    `  ${summary('API process', api)}`,
    `  ${summary('load generator', loadStalls)}`,
    `slow mixed reads (≥ 25 ms): ${slow.length}, ${explained} of them overlapping a stall above; the slowest:`,
    ...slow.slice(0, 8).map((r) => `  ${t(r.at)} ${kinds[r.i % kinds.length]} ${r.ms.toFixed(0)} ms ← ${causes(r).join(', ') || 'no stall noted'}`),
  ];
}
