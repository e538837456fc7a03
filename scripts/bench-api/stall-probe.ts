// Where the API's read stalls come from, for `npm run bench:api -- --stalls`: in the process that imports it (the
// API, through NODE_OPTIONS=--import, or the load generator itself) it notes every GC pause and every event-loop
// block of at least STALL_MS, at wall-clock time so the two processes' notes line up with the slow requests.
import { appendFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver, constants, performance, type PerformanceEntry } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

export const STALL_MS = 10;

export interface Stall {
  /** epoch ms at which the pause began */
  at: number;
  ms: number;
  /** 'gc:<kind>' or 'loop' (a timer late by `ms`: the event loop was busy with something synchronous) */
  what: string;
  /** for a GC pause: the V8 heap in use just after it, MB */
  heapMb?: number;
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};

/** Calls `note` for each stall until the returned function is called. */
export function watchStalls(note: (s: Stall) => void): () => void {
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      if (e.duration < STALL_MS) continue;
      const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
      note({ at: performance.timeOrigin + e.startTime, ms: e.duration, what: `gc:${GC_KINDS[e.detail?.kind ?? 0] ?? 'other'}`, heapMb });
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  const TICK = 5;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - last - TICK;
    if (late >= STALL_MS) note({ at: performance.timeOrigin + last + TICK, ms: late, what: 'loop' });
    last = now;
  }, TICK);
  timer.unref();
  return () => {
    gc.disconnect();
    clearInterval(timer);
  };
}

/** The file the stalls of process `pid` go to when this module is its NODE_OPTIONS --import. */
export const stallFile = (pid: number) => path.join(os.tmpdir(), 'oneheart-stalls', `${pid}.jsonl`);

/** Starts noting this process's stalls (its main thread) in stallFile(process.pid), one JSON line each. */
export function recordStalls(): void {
  if (!isMainThread) return;
  const file = stallFile(process.pid);
  mkdirSync(path.dirname(file), { recursive: true });
  watchStalls((s) => appendFileSync(file, `${JSON.stringify(s)}\n`));
}
