import { spawn } from 'node:child_process';
import path from 'node:path';
import { createPublicClient, http } from 'viem';
import { childEnv } from '../../lib/config.ts';
import { stopChild } from './child.ts';
import { freePort } from './free-port.ts';
import type { RunningService } from './service.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Hardhat's EDR network over JSON-RPC (`hardhat node`) on a loopback port. */
export async function startChain(options: { port?: number } = {}): Promise<RunningService & { chainId: number }> {
  const port = options.port ?? (await freePort());
  const child = spawn(path.join(ROOT, 'node_modules/.bin/hardhat'), ['node', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: childEnv({ HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' }),
  });
  const url = `http://127.0.0.1:${port}`;
  const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited with ${child.exitCode}`);
    try {
      const chainId = await client.getChainId();
      return { name: 'chain', url, chainId, stop: () => stopChild(child) };
    } catch {
      if (Date.now() > deadline) {
        await stopChild(child);
        throw new Error(`hardhat node did not answer on ${url}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
