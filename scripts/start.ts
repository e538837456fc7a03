// `npm start`: the whole platform on embedded defaults — Postgres (data kept in
// DATA_DIR), Redis, an S3-compatible store, a local EVM — then the API as a
// supervised child process. Any of DATABASE_URL, REDIS_URL, S3_ENDPOINT, RPC_URL
// points at a real service instead. Ctrl-C stops everything.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { childEnv, loadConfig, loadStackConfig, loadVerifierConfig, STACK_FILE } from '../lib/config.ts';
import { migrate } from '../lib/migrator.ts';
import { Storage } from '../lib/storage.ts';
import { resetChainMirror } from '../indexer/store.ts';
import { deployOneHeart } from './deploy.ts';
import { startChain } from './stack/chain.ts';
import { startPostgres } from './stack/postgres.ts';
import { startRedis } from './stack/redis.ts';
import { startS3 } from './stack/s3.ts';
import type { RunningService } from './stack/service.ts';
import { supervise } from './stack/supervise.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const stack = loadStackConfig();
const dataDir = path.resolve(ROOT, stack.DATA_DIR);
const running: RunningService[] = [];
const log = (msg: string) => console.log(`[oneheart] ${msg}`);

let stopping: Promise<void> | undefined;
function shutdown(code: number) {
  stopping ??= (async () => {
    log('stopping ...');
    await rm(path.join(dataDir, STACK_FILE), { force: true });
    for (const s of running.reverse()) await s.stop().then(() => log(`stopped ${s.name}`)).catch((err: unknown) => console.error(`[oneheart] stopping ${s.name}:`, err));
    log('stopped; data kept in ' + path.relative(ROOT, dataDir));
    process.exit(code);
  })();
  return stopping;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void shutdown(0));

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

try {
  await mkdir(dataDir, { recursive: true });
  let databaseUrl = stack.DATABASE_URL;
  if (!databaseUrl) {
    const postgres = await startPostgres({ dataDir: path.join(dataDir, 'pg'), persistent: true });
    running.push(postgres);
    await ensureDatabase(postgres.adminUrl(), 'oneheart');
    databaseUrl = postgres.adminUrl('oneheart');
  }
  const { applied } = await migrate(databaseUrl);
  if (applied.length) log(`applied migrations: ${applied.join(', ')}`);

  const use = (s: RunningService): string => (running.push(s), s.url);
  const redisUrl = stack.REDIS_URL ?? use(await startRedis());
  const s3Url = stack.S3_ENDPOINT ?? use(await startS3({ dir: path.join(dataDir, 's3') }));
  const rpcUrl = stack.RPC_URL ?? use(await startChain({ port: stack.CHAIN_PORT }));

  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, S3_ENDPOINT: s3Url, RPC_URL: rpcUrl, PORT: String(stack.PORT) };
  const config = loadConfig(childEnv(env));
  const storage = new Storage(config);
  await storage.ensureBucket();
  storage.destroy();
  // The embedded chain starts empty: deploy (or reuse a live deployment). A real
  // RPC_URL must already have deployments/<chainId>.json.
  const deployment = stack.RPC_URL
    ? null
    : await deployOneHeart({ rpcUrl, deployerPrivateKey: config.OPERATOR_PRIVATE_KEY, outDir: path.resolve(ROOT, config.DEPLOYMENTS_DIR) });
  // The embedded chain restarts from genesis: the chain mirror of the last run describes blocks that are gone.
  if (deployment) await resetChainMirror(databaseUrl, deployment.chainId);
  // Operator commands (npm run epoch:close / audit) find the services here.
  await writeFile(path.join(dataDir, STACK_FILE), `${JSON.stringify(env, null, 2)}\n`, { mode: 0o600 });

  const api = await supervise({
    name: 'api',
    script: path.join(ROOT, 'api/server.ts'),
    env,
    readyUrl: `http://127.0.0.1:${stack.PORT}/ready`,
  });
  running.push(api);
  running.push(await supervise({ name: 'verifier', script: path.join(ROOT, 'verifier/main.ts'), env }));
  running.push(await supervise({ name: 'indexer', script: path.join(ROOT, 'indexer/main.ts'), env }));
  running.push(await supervise({ name: 'tlog', script: path.join(ROOT, 'tlog/main.ts'), env }));

  const verifierHttp = loadVerifierConfig(childEnv(env));
  const hide = (u: string) => u.replace(/:[^:@/]*@/, ':***@');
  console.log(`
  OneHeart is running (Ctrl-C stops everything)
    API          http://127.0.0.1:${stack.PORT}   (/health, /ready, /api/openapi.json)
    verifier     consuming the verify-proof queue; internal HTTP http://${verifierHttp.VERIFIER_HOST}:${verifierHttp.VERIFIER_PORT}/verify/*
    indexer      mirroring contract events into Postgres
    tlog         publishing tiles + signed checkpoints every minute
    Postgres     ${hide(databaseUrl)}
    Redis        ${redisUrl}
    S3           ${s3Url}
    EVM (RPC)    ${rpcUrl}
    data         ${path.relative(ROOT, dataDir) || '.'}
${deployment ? Object.entries(deployment.contracts).map(([name, c]) => `    ${name.padEnd(18)} ${c.address}`).join('\n') : ''}
`);
  // `npm start -- --demo`: seed the demo world once everything is up (scripts/demo.ts; refuses a second time).
  if (process.argv.includes('--demo')) {
    const { spawn } = await import('node:child_process');
    spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/demo.ts')], { cwd: ROOT, stdio: 'inherit', env: childEnv({ DATA_DIR: dataDir }) })
      .on('exit', (code) => log(code === 0 ? 'demo world seeded' : code === 2 ? 'demo world already seeded: kept as is' : `demo seeding failed (exit ${code})`));
  }
} catch (err) {
  console.error('[oneheart] start failed:', err);
  await shutdown(1);
}
