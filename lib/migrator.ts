import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

/**
 * Applies `prisma/migrations/<timestamp>_<name>/migration.sql` in name order.
 * Invariants:
 * - each migration runs in its own transaction together with its bookkeeping row;
 * - an applied migration's SHA-256 is recorded and must never change: an edited
 *   applied migration stops the migrator before anything else runs;
 * - concurrent runs serialize on a session advisory lock, so running twice or
 *   at the same time is safe (the second run finds nothing to do).
 */

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../prisma/migrations');
const LOCK_KEY = 0x0ae4_7000; // any constant shared by all migrator processes

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && /^\d{14}_[a-z0-9_]+$/.test(d.name))
    .map((d) => d.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<MigrateResult> {
  const migrations = await readMigrations(dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_migrations" (
      "name" TEXT PRIMARY KEY,
      "checksum" CHAR(64) NOT NULL,
      "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM "_migrations"');
    const recorded = new Map(rows.map((r) => [r.name, r.checksum]));
    const known = new Set(migrations.map((m) => m.name));
    const unknown = [...recorded.keys()].filter((n) => !known.has(n));
    if (unknown.length) throw new MigrationError(`database has migrations this code does not know: ${unknown.join(', ')}`);
    for (const m of migrations) {
      const sum = recorded.get(m.name);
      if (sum !== undefined && sum !== m.checksum) {
        throw new MigrationError(`migration ${m.name} was edited after it was applied (checksum ${sum.slice(0, 12)}… ≠ ${m.checksum.slice(0, 12)}…); add a new migration instead`);
      }
    }
    const result: MigrateResult = { applied: [], skipped: [] };
    for (const m of migrations) {
      if (recorded.has(m.name)) {
        result.skipped.push(m.name);
        continue;
      }
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO "_migrations" (name, checksum) VALUES ($1, $2)', [m.name, m.checksum]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      result.applied.push(m.name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
