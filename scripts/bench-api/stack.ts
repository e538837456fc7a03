// The embedded stack the API benchmarks run on (like `npm start`, in a temporary data
// dir): Postgres (migrated), Redis, s3rver, hardhat node with OneHeart deployed, and the
// API started on demand. Shared by `npm run bench:api` and `npm run bench:tiles`.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { childEnv, loadConfig, type Config } from '../../lib/config.ts';
import { migrate } from '../../lib/migrator.ts';
import { createRedis, type Redis } from '../../lib/redis.ts';
import { Storage } from '../../lib/storage.ts';
import { deployOneHeart } from '../deploy.ts';
import { startChain } from '../stack/chain.ts';
import { freePort } from '../stack/free-port.ts';
import { startPostgres } from '../stack/postgres.ts';
import { startRedis } from '../stack/redis.ts';
import { startS3 } from '../stack/s3.ts';
import type { RunningService } from '../stack/service.ts';
import { supervise } from '../stack/supervise.ts';

export interface BenchStack {
  config: Config;
  port: number;
  url: string;
  sql: pg.Pool;
  redis: Redis;
  storage: Storage;
  /** Starts the API process (extra env, e.g. NODE_OPTIONS) and waits for /ready. */
  startApi(extraEnv?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchStack(name: string): Promise<BenchStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `oneheart-${name}-`));
  const running: RunningService[] = [];
  const clients: { sql?: pg.Pool; redis?: Redis; storage?: Storage } = {};
  const stop = async () => {
    await clients.sql?.end().catch(() => undefined);
    clients.redis?.disconnect();
    clients.storage?.destroy();
    for (const s of running.reverse()) await s.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), persistent: false });
    running.push(postgres);
    const databaseUrl = postgres.adminUrl();
    await migrate(databaseUrl);
    const redis = await startRedis();
    running.push(redis);
    const s3 = await startS3({ dir: path.join(dir, 's3') });
    running.push(s3);
    const chain = await startChain();
    running.push(chain);
    const port = await freePort();
    const env = {
      DATABASE_URL: databaseUrl, REDIS_URL: redis.url, S3_ENDPOINT: s3.url, RPC_URL: chain.url, PORT: String(port),
      DEPLOYMENTS_DIR: path.join(dir, 'deployments'), LOG_LEVEL: 'warn', NODE_ENV: 'development',
    };
    const config = loadConfig(childEnv(env));
    await deployOneHeart({ rpcUrl: chain.url, deployerPrivateKey: config.OPERATOR_PRIVATE_KEY, outDir: env.DEPLOYMENTS_DIR });
    const storage = (clients.storage = new Storage(config));
    await storage.ensureBucket();
    const sql = (clients.sql = new pg.Pool({ connectionString: databaseUrl, max: 4 }));
    const redisClient = (clients.redis = createRedis(redis.url));
    return {
      config, port, url: `http://127.0.0.1:${port}`, sql, redis: redisClient, storage, stop,
      async startApi(extraEnv = {}) {
        running.push(await supervise({ name: 'api', script: path.resolve(import.meta.dirname, '../../api/server.ts'), env: { ...env, ...extraEnv }, readyUrl: `http://127.0.0.1:${port}/ready` }));
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
