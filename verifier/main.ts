import { loadVerifierConfig } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { buildVerifierHttp } from './http.ts';
import { startVerifierRuntime, startVerifierWorker } from './worker.ts';

const config = loadVerifierConfig();
const log = createLogger('verifier', config.LOG_LEVEL);
const runtime = await startVerifierRuntime(config);
if (runtime.backend.fallbackReason) log.info({ reason: runtime.backend.fallbackReason }, 'tfjs-node unavailable: inference on wasm');
const verifier = await startVerifierWorker(config, runtime);
log.info({ modelVersion: verifier.modelVersion, backend: runtime.backend.name, concurrency: config.VERIFIER_CONCURRENCY, vision: runtime.visionVersion ?? 'off' }, 'consuming verify-proof');
verifier.worker.on('completed', (job, verdict) => log.info({ actionId: job.data.actionId, decision: verdict?.decision, authenticity: verdict?.authenticity }, 'verified'));
verifier.worker.on('failed', (job, err) => log.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'verification failed'));
const http = await buildVerifierHttp(runtime.deps, config.VERIFIER_INTERNAL_TOKEN, log);
const address = await http.listen({ host: config.VERIFIER_HOST, port: config.VERIFIER_PORT });
log.info({ address }, 'internal HTTP: POST /verify/image, /verify/location, /verify/timestamp, /verify/comprehensive');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void Promise.allSettled([http.close(), verifier.close()])
      .then(() => runtime.close())
      .then(() => process.exit(0));
  });
}
