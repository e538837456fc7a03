import pg from 'pg';
import type { PublicClient } from 'viem';
import { createChainReader } from '../lib/chain.ts';
import type { Config } from '../lib/config.ts';
import { createDbOnPool, type Db } from '../lib/db.ts';
import { createRedis, type Redis } from '../lib/redis.ts';
import { Storage } from '../lib/storage.ts';

/** Everything a route may touch. Built once per process, closed on shutdown. */
export interface Deps {
  config: Config;
  /**
   * The process's one Postgres pool (DATABASE_POOL_MAX connections): Prisma (`db`), every route
   * and the in-process workers share it. Code holding one of its connections (a transaction)
   * must not wait for a second one: when every connection is held that wait never ends.
   */
  pool: pg.Pool;
  db: Db;
  redis: Redis;
  storage: Storage;
  chain: PublicClient;
  close(): Promise<void>;
}

export function createDeps(config: Config): Deps {
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_MAX, application_name: 'oneheart-api' });
  // An idle connection the server dropped: the pool discards it and the next checkout opens a new one.
  pool.on('error', () => undefined);
  const db = createDbOnPool(pool);
  const redis = createRedis(config.REDIS_URL);
  const storage = new Storage(config);
  const chain = createChainReader(config.RPC_URL);
  return {
    config,
    pool,
    db,
    redis,
    storage,
    chain,
    async close() {
      storage.destroy();
      await Promise.allSettled([db.$disconnect(), redis.quit()]);
      await pool.end();
    },
  };
}
