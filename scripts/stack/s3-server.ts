/**
 * s3rver as a process of its own: `node --import tsx scripts/stack/s3-server.ts <dir>` prints
 * `{"url": ...}` on stdout once it listens and stops on SIGTERM. Benchmarks use it so the store
 * does not share an event loop (and a core) with the code being measured.
 */
import { startS3 } from './s3.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: s3-server.ts <dir>');
  process.exit(2);
}
const s3 = await startS3({ dir });
process.stdout.write(`${JSON.stringify({ url: s3.url })}\n`);
const stop = () => { if (process.env.S3_SERVER_CPU) console.error(`s3rver cpu ${JSON.stringify(process.cpuUsage())}`); void s3.stop().then(() => process.exit(0)); };
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
