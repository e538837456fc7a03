import { spawn } from 'node:child_process';
import { freePort, waitForPort } from './free-port.ts';
import type { RunningService } from './service.ts';
import { stopChild } from './child.ts';

/** Debian's redis-server as a child process on a free loopback port, no persistence. */
export async function startRedis(options: { port?: number; dir?: string } = {}): Promise<RunningService> {
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (options.dir) args.push('--dir', options.dir);
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`))));
  exited.catch(() => undefined);
  await Promise.race([waitForPort(port), exited]);
  return { name: 'redis', url: `redis://127.0.0.1:${port}`, stop: () => stopChild(child) };
}
