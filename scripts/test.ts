// `npm test`: compiles the contracts, starts real services on loopback, runs
// every suite (node:test files everywhere, then Hardhat's Solidity and
// contract tests) and ends with one summary line.
// `scripts/test.ts <folder>...` runs only the node:test files under those
// folders (e.g. `npm run test:faults`), without the Hardhat suites.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { childEnv } from '../lib/config.ts';
import { startTestServices } from './stack/test-services.ts';
import { findFiles } from './stack/walk.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const bin = (name: string) => path.join(ROOT, 'node_modules/.bin', name);
const started = performance.now();
const only = process.argv.slice(2).map((f) => f.replace(/\/+$/, '') + '/');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = childEnv({})): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function tapCounts(file: string): Promise<{ pass: number; fail: number }> {
  const tap = await readFile(file, 'utf8').catch(() => '');
  const num = (k: string) => Number(tap.match(new RegExp(`^# ${k} (\\d+)$`, 'm'))?.[1] ?? 0);
  return { pass: num('pass'), fail: num('fail') + num('cancelled') };
}

const results: string[] = [];
let failed = false;

const compile = await run(bin('hardhat'), ['build']);
if (compile !== 0) {
  console.error('npm test: FAIL — contracts do not compile');
  process.exit(1);
}

console.log('[test] starting Postgres, Redis, S3 (s3rver) and the EVM (hardhat node) on loopback ...');
const services = await startTestServices();
let stopping: Promise<void> | undefined;
const stop = () => (stopping ??= services.stop());
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void stop().then(() => process.exit(130)));

try {
  const env = childEnv({ ...services.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const files = (await findFiles(ROOT, /\.test\.ts$/))
    .filter((f) => !f.startsWith('test/contracts/'))
    .filter((f) => only.length === 0 || only.some((dir) => f.startsWith(dir)));
  const tap = path.join(os.tmpdir(), `oneheart-node-tests-${process.pid}.tap`);
  const nodeCode = await run(process.execPath, [
    '--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ], env);
  const node = await tapCounts(tap);
  results.push(`node: ${node.pass} passed, ${node.fail} failed (${files.length} files)`);
  failed ||= nodeCode !== 0;

  if (only.length === 0) {
    const hardhatCode = await run(bin('hardhat'), ['test'], env);
    results.push(`hardhat (solidity + contracts): ${hardhatCode === 0 ? 'passed' : 'FAILED'}`);
    failed ||= hardhatCode !== 0;
  }
} finally {
  await stop();
}

const secs = ((performance.now() - started) / 1000).toFixed(0);
console.log(`\nnpm test: ${failed ? 'FAIL' : 'PASS'} — ${results.join('; ')} — ${secs} s`);
process.exit(failed ? 1 : 0);
