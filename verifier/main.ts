import { loadVerifierConfig } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { startVerifierWorker } from './worker.ts';

const config = loadVerifierConfig();
const log = createLogger('verifier', config.LOG_LEVEL);
const verifier = await startVerifierWorker(config);
log.info({ modelVersion: verifier.modelVersion, concurrency: config.VERIFIER_CONCURRENCY }, 'consuming verify-proof');
verifier.worker.on('completed', (job, verdict) => log.info({ actionId: job.data.actionId, decision: verdict?.decision, authenticity: verdict?.authenticity }, 'verified'));
verifier.worker.on('failed', (job, err) => log.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'verification failed'));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void verifier.close().then(() => process.exit(0));
  });
}
