// A Postgres of one fault test's own (the shared test cluster must never be
// stopped): migrated once, then stopped and restarted on the same port and data
// directory as often as the test likes.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../lib/migrator.ts';
import { freePort } from '../../scripts/stack/free-port.ts';
import { startPostgres } from '../../scripts/stack/postgres.ts';

export interface PrivatePostgres {
  /** URL of the migrated `oneheart` database. */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server if it runs and removes its data directory. */
  destroy(): Promise<void>;
}

export async function privatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oneheart-fault-pg-'));
  await chmod(dir, 0o755); // the postgres system user must traverse it
  const port = await freePort();
  const boot = () => startPostgres({ dataDir: path.join(dir, 'pg'), persistent: true, port, fast: true });
  let running: Awaited<ReturnType<typeof boot>> | undefined = await boot();
  const admin = new pg.Client({ connectionString: running.adminUrl() });
  await admin.connect();
  await admin.query('CREATE DATABASE oneheart');
  await admin.end();
  const url = running.adminUrl('oneheart');
  await migrate(url);
  return {
    url,
    async stop() {
      await running?.stop();
      running = undefined;
    },
    async start() {
      running ??= await boot();
    },
    async destroy() {
      await running?.stop();
      running = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
