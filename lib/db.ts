import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type Db = PrismaClient;
export { Prisma } from './generated/prisma/client.ts';

/**
 * How long an interactive transaction may wait for a pooled connection and then run. Prisma's
 * defaults (2 s, 5 s) fail healthy requests when a busy machine queues them briefly; past these
 * the request gets 503 DATABASE_BUSY (api/plugins/error-handler.ts) and nothing is written.
 */
export const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 20_000 } as const;

const clientOn = (adapter: PrismaPg): Db => new PrismaClient({ adapter, transactionOptions: TRANSACTION_OPTIONS });

/** A Prisma client on node-postgres (Prisma 7 runs queries through a driver adapter) with a pool of its own. */
export function createDb(databaseUrl: string, options: { max?: number } = {}): Db {
  return clientOn(new PrismaPg({ connectionString: databaseUrl, max: options.max ?? 10 }));
}

/**
 * A Prisma client on the caller's pool, which stays the caller's: `$disconnect()` leaves it
 * open (the adapter ends an external pool only with `disposeExternalPool`), so end it after.
 */
export function createDbOnPool(pool: pg.Pool): Db {
  return clientOn(new PrismaPg(pool));
}
