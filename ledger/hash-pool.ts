/**
 * A small pool of worker threads running the batch kernels (kernels.ts) on
 * SharedArrayBuffer-backed flat buffers. A job over [0, total) is split into
 * one contiguous range per thread; the calling thread takes the first range
 * itself, so `threads` counts the main thread. Small jobs run inline. Workers
 * are unref'd while idle so they never keep the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { hashers, runJob } from './kernels.ts';
import type { Hashers, Job } from './kernels.ts';

/** Below this many items a job runs inline: messaging would cost more than hashing. */
const INLINE_BELOW = 4096;

interface Pending { resolve: () => void; reject: (e: Error) => void }

export class HashPool {
  private readonly workers: Worker[] = [];
  private readonly ready: Promise<void>[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  /** `threads` total threads including the caller's (default: available cores). */
  constructor(readonly threads: number = availableParallelism()) {
    for (let i = 1; i < Math.max(1, threads); i++) {
      const w = new Worker(new URL('./hash-worker.ts', import.meta.url));
      const ready = new Promise<void>((resolve, reject) => {
        const onReady = (m: { ready?: boolean }) => {
          if (m.ready) { w.off('message', onReady); resolve(); }
        };
        w.on('message', onReady);
        w.once('error', reject);
      });
      ready.catch(() => undefined); // surfaced by run(); never an unhandled rejection
      this.ready.push(ready);
      w.on('message', (m: { id?: number; error?: string }) => this.settle(m));
      w.on('error', (e) => this.failAll(e));
      w.unref();
      this.workers.push(w);
    }
  }

  private settle(m: { id?: number; error?: string }): void {
    if (m.id === undefined) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.error) p.reject(new Error(m.error)); else p.resolve();
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private post(w: Worker, job: Job, from: number, to: number): Promise<void> {
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, job, from, to });
    });
  }

  /** Runs `job` over item indices [0, total); resolves when every range is done. */
  async run(job: Job, total: number): Promise<void> {
    if (this.closed) throw new Error('HashPool is closed');
    const h = await hashers();
    const n = this.workers.length + 1;
    if (total < INLINE_BELOW || n === 1) {
      runJob(h, job, 0, total);
      return;
    }
    // Workers are ref'd only while a job is in flight (an unref'd worker's reply would not keep the loop alive).
    for (const w of this.workers) w.ref();
    try {
      await Promise.all(this.ready);
      await this.split(h, job, total, n);
    } finally {
      if (this.pending.size === 0) for (const w of this.workers) w.unref();
    }
  }

  private async split(h: Hashers, job: Job, total: number, n: number): Promise<void> {
    const step = Math.ceil(total / n);
    const remote: Promise<void>[] = [];
    for (let k = 1; k < n; k++) {
      const from = Math.min(total, k * step);
      const to = Math.min(total, from + step);
      const w = this.workers[k - 1];
      if (w && from < to) remote.push(this.post(w, job, from, to));
    }
    runJob(h, job, 0, Math.min(total, step));
    await Promise.all(remote);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

let defaultPool: HashPool | undefined;
/** Process-wide pool, created on first use. */
export function defaultHashPool(): HashPool {
  defaultPool ??= new HashPool();
  return defaultPool;
}

/** Terminates the process-wide pool (optional: idle workers do not keep the process alive). */
export async function closeDefaultHashPool(): Promise<void> {
  const p = defaultPool;
  defaultPool = undefined;
  await p?.close();
}
