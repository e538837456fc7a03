import type { PublicClient } from 'viem';
import { createChainReader } from '../lib/chain.ts';
import type { Config } from '../lib/config.ts';
import { createDb, type Db } from '../lib/db.ts';
import { createRedis, type Redis } from '../lib/redis.ts';
import { Storage } from '../lib/storage.ts';

/** Everything a route may touch. Built once per process, closed on shutdown. */
export interface Deps {
  config: Config;
  db: Db;
  redis: Redis;
  storage: Storage;
  chain: PublicClient;
  close(): Promise<void>;
}

export function createDeps(config: Config): Deps {
  const db = createDb(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL);
  const storage = new Storage(config);
  const chain = createChainReader(config.RPC_URL);
  return {
    config,
    db,
    redis,
    storage,
    chain,
    async close() {
      storage.destroy();
      await Promise.allSettled([db.$disconnect(), redis.quit()]);
    },
  };
}
