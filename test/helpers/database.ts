import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testServices } from '../../lib/config.ts';

export interface TestDatabase {
  url: string;
  /** A pg client on the database (closed by drop). */
  sql: pg.Client;
  drop(): Promise<void>;
}

type Services = ReturnType<typeof testServices>;

async function admin<T>(services: Services, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: services.ONEHEART_TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * pg's Pool.end() resolves once its clients are *told* to end, before their sessions are gone;
 * forcing the drop then can reach a session mid-goodbye, whose client reports "terminating
 * connection due to administrator command" as an uncaught error in the test file. So wait (briefly)
 * for the sessions to leave by themselves; FORCE is only for a client a test truly leaked.
 */
async function waitForSessionsToLeave(c: pg.Client, name: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
    if (rows[0]?.n === 0 || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function createDatabase(services: Services, template?: string): Promise<TestDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin(services, (c) => c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`));
  const u = new URL(services.ONEHEART_TEST_PG_ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  return {
    url,
    sql,
    async drop() {
      await sql.end();
      await admin(services, async (c) => {
        await waitForSessionsToLeave(c, name);
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
    },
  };
}

/**
 * A fresh, fully migrated database cloned from the run's template database. `env` names the test
 * services (default: this process's environment, as scripts/test.ts sets it; a benchmark that
 * started its own services passes their env).
 */
export function freshDatabase(env?: Record<string, string | undefined>): Promise<TestDatabase> {
  const services = testServices(env);
  return createDatabase(services, services.ONEHEART_TEST_TEMPLATE_DB);
}

/** An empty database (no migrations applied), for migrator tests. */
export const emptyDatabase = () => createDatabase(testServices());
