import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import type { RunningService } from './service.ts';

/** An S3-compatible server on loopback (s3rver), storing objects under `dir`. */
export async function startS3(options: { dir: string; port?: number }): Promise<RunningService> {
  await mkdir(options.dir, { recursive: true });
  const server = new S3rver({ port: options.port ?? 0, address: '127.0.0.1', directory: options.dir, silent: true });
  const address = (await server.run()) as AddressInfo;
  return { name: 's3', url: `http://127.0.0.1:${address.port}`, stop: () => server.close() };
}
