import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../lib/migrator.ts';
import { startChain } from './chain.ts';
import { startPostgres } from './postgres.ts';
import { startRedis } from './redis.ts';
import { startS3 } from './s3.ts';
import type { RunningService } from './service.ts';

export const TEMPLATE_DB = 'oneheart_template';

export interface TestServices {
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Real Postgres, Redis, S3-compatible store and EVM on free loopback ports for
 * one test run, plus a migrated template database each test clones. Everything
 * lives in one temp dir that `stop()` removes.
 */
export async function startTestServices(): Promise<TestServices> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oneheart-test-'));
  await chmod(dir, 0o755); // the postgres system user must traverse it
  const running: RunningService[] = [];
  const stop = async () => {
    await Promise.allSettled(running.reverse().map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [postgres, redis, s3, chain] = await Promise.all([
      startPostgres({ dataDir: path.join(dir, 'pg'), persistent: false, fast: true }).then((s) => (running.push(s), s)),
      startRedis().then((s) => (running.push(s), s)),
      startS3({ dir: path.join(dir, 's3') }).then((s) => (running.push(s), s)),
      startChain().then((s) => (running.push(s), s)),
    ]);
    const admin = new pg.Client({ connectionString: postgres.adminUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
    await admin.end();
    await migrate(postgres.adminUrl(TEMPLATE_DB));
    return {
      env: {
        ONEHEART_TEST_PG_ADMIN_URL: postgres.adminUrl(),
        ONEHEART_TEST_TEMPLATE_DB: TEMPLATE_DB,
        REDIS_URL: redis.url,
        S3_ENDPOINT: s3.url,
        RPC_URL: chain.url,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
