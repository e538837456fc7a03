import { Worker } from 'node:worker_threads';
import type { FitJob, FitResult } from './fit-job.ts';

export interface WorkerFitResult extends FitResult {
  /** The worker thread that ran the job. */
  threadId: number;
}

/**
 * Runs a refresh's FitJob (context + choice model + BPR, seconds of CPU) in a
 * fresh worker thread so the caller's event loop keeps serving; the worker is
 * terminated once it has replied. Settles only after the worker has exited:
 * rejects with the worker's error when it throws, crashes or exits without a reply.
 */
export function fitInWorker(job: FitJob): Promise<WorkerFitResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fit-worker.ts', import.meta.url), { workerData: job });
    let result: WorkerFitResult | undefined;
    let failure: Error | undefined;
    worker.once('message', (m: WorkerFitResult) => {
      result = m;
      void worker.terminate();
    });
    worker.on('error', (err) => {
      failure ??= new Error(`recommender refit failed in its worker thread: ${err.message}`, { cause: err });
    });
    worker.once('exit', (code) => {
      if (result) resolve(result);
      else reject(failure ?? new Error(`recommender refit worker exited with code ${code} before replying`));
    });
  });
}
