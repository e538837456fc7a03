import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type Db = PrismaClient;
export { Prisma } from './generated/prisma/client.ts';

/**
 * How long an interactive transaction may wait for a pooled connection and then run. Prisma's
 * defaults (2 s, 5 s) fail healthy requests when a busy machine queues them briefly; past these
 * the request gets 503 DATABASE_BUSY (api/plugins/error-handler.ts) and nothing is written.
 */
export const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 20_000 } as const;

/** A Prisma client on node-postgres (Prisma 7 runs queries through a driver adapter). */
export function createDb(databaseUrl: string, options: { max?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.max ?? 10 });
  return new PrismaClient({ adapter, transactionOptions: TRANSACTION_OPTIONS });
}
