// What an indexer test file creates and must clean up, in one place: fresh databases
// (each with a pool), indexer child processes, and anything else with a close()
// (fault proxies, TCP gates). close() kills the processes first, so nothing writes
// while the rest is closed, the pools ended and the databases dropped.
import pg from 'pg';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { spawnIndexer, type IndexerProcess } from './testing.ts';

export interface TestResources {
  /** A fresh migrated database, a pool on it, and its single client (`sql`). */
  db(): Promise<{ url: string; pool: pg.Pool; sql: pg.Client }>;
  /** `npm run indexer` as a child process, killed by close() if still running. */
  spawn(env: Record<string, string>): IndexerProcess;
  /** Closes `c` in close(), after the processes are gone. */
  track<T extends { close(): Promise<void> }>(c: T): T;
  close(): Promise<void>;
}

export function testResources(poolSize = 6): TestResources {
  const dbs: TestDatabase[] = [];
  const pools: pg.Pool[] = [];
  const children: IndexerProcess[] = [];
  const closers: { close(): Promise<void> }[] = [];
  return {
    async db() {
      const d = await freshDatabase();
      dbs.push(d);
      const pool = new pg.Pool({ connectionString: d.url, max: poolSize });
      // a connection the server closes while idle must not crash the file (pg requires a listener)
      pool.on('error', () => undefined);
      pools.push(pool);
      return { url: d.url, pool, sql: d.sql };
    },
    spawn(env) {
      const p = spawnIndexer(env);
      children.push(p);
      return p;
    },
    track(c) {
      closers.push(c);
      return c;
    },
    async close() {
      for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await Promise.all(children.map((c) => c.exited));
      await Promise.all(closers.map((c) => c.close()));
      await Promise.all(pools.map((p) => p.end()));
      await Promise.all(dbs.map((d) => d.drop()));
    },
  };
}
