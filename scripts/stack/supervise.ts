import { spawn, type ChildProcess } from 'node:child_process';
import { childEnv } from '../../lib/config.ts';
import { stopChild } from './child.ts';
import type { RunningService } from './service.ts';

export interface SuperviseOptions {
  name: string;
  /** A TypeScript entry point, run with Node + tsx. */
  script: string;
  env: Record<string, string>;
  /** Resolved when this URL answers 200 (first start only). */
  readyUrl?: string;
}

/**
 * Runs a service as a child process and restarts it when it crashes (backoff
 * 1 s doubling to 30 s, reset after a minute of uptime). `stop()` ends it for good.
 */
export async function supervise(options: SuperviseOptions): Promise<RunningService> {
  let child: ChildProcess | undefined;
  let stopped = false;
  let backoff = 1_000;

  const launch = () => {
    const startedAt = Date.now();
    child = spawn(process.execPath, ['--import', 'tsx', options.script], { stdio: 'inherit', env: childEnv(options.env) });
    child.on('exit', (code, signal) => {
      if (stopped) return;
      if (Date.now() - startedAt > 60_000) backoff = 1_000;
      console.error(`[oneheart] ${options.name} exited (${signal ?? code}); restarting in ${backoff / 1000} s`);
      setTimeout(() => !stopped && launch(), backoff).unref();
      backoff = Math.min(backoff * 2, 30_000);
    });
  };
  launch();

  if (options.readyUrl) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(options.readyUrl).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`${options.name} not ready at ${options.readyUrl} after 60 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    name: options.name,
    url: options.readyUrl ?? '',
    async stop() {
      stopped = true;
      if (child) await stopChild(child);
    },
  };
}
