import type pg from 'pg';

/**
 * Runs `fn` in one transaction on a connection of `pool`: COMMIT when it
 * resolves, ROLLBACK when it throws (the error is rethrown), and the
 * connection always goes back to the pool. `fn` runs every query on `client`: awaiting another
 * connection of `pool` inside it (pool.query, another inTransaction, a Prisma client on the same
 * pool) deadlocks once every connection is held by a caller doing the same.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
