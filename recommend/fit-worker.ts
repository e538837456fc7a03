/**
 * Worker-thread entry of fitInWorker: runs the FitJob in `workerData`, replies
 * once with { ...FitResult, threadId } and the models' typed-array buffers
 * moved (transfer list), not copied. A throw reaches the parent as the
 * worker's 'error' event.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { type FitJob, type FitResult, fitOnThisThread } from './fit-job.ts';

/** The distinct ArrayBuffers behind the models' typed arrays. */
function modelBuffers(models: FitResult['models']): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const model of [models?.mf, models?.choice]) {
    for (const v of Object.values(model ?? {})) if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
  }
  return [...buffers];
}

const port = parentPort;
if (!port) throw new Error('fit-worker.ts must run in a worker thread');
const job = workerData as FitJob;
if (job.refit) {
  // Each refit is a fresh thread, so TF.js would print its "install the node backend" banner every time.
  // PROD only silences TF.js's warnings (no computation depends on it).
  const tf = await import('@tensorflow/tfjs');
  tf.env().set('PROD', true);
}
const result = await fitOnThisThread(job);
port.postMessage({ ...result, threadId }, modelBuffers(result.models));
