/**
 * Worker-thread entry for HashPool: receives { id, job, from, to } where the
 * job's buffers are SharedArrayBuffer views, runs the kernel in place and
 * replies { id } (or { id, error }).
 */
import { parentPort } from 'node:worker_threads';
import { hashers, runJob } from './kernels.ts';
import type { Job } from './kernels.ts';

const port = parentPort;
if (!port) throw new Error('hash-worker.ts must run in a worker thread');
const h = await hashers();
port.on('message', (msg: { id: number; job: Job; from: number; to: number }) => {
  try {
    runJob(h, msg.job, msg.from, msg.to);
    port.postMessage({ id: msg.id });
  } catch (err) {
    port.postMessage({ id: msg.id, error: (err as Error).message });
  }
});
port.postMessage({ ready: true });
