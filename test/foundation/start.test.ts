import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { childEnv, DEV_INTERNAL_TOKEN } from '../../lib/config.ts';
import { freePort } from '../../scripts/stack/free-port.ts';
import { DEV_PASSWORD } from '../../scripts/stack/postgres.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Started {
  child: ChildProcess;
  output: () => string;
  databaseUrl: string;
}

/** Runs scripts/start.ts in its own process group (as a terminal would) until it prints its banner. */
async function start(dataDir: string, port: number, chainPort: number): Promise<Started> {
  const env = childEnv({ DATA_DIR: dataDir, PORT: String(port), CHAIN_PORT: String(chainPort), LOG_LEVEL: 'warn' });
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'S3_ENDPOINT', 'RPC_URL']) delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/start.ts')], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 120_000;
  while (!/OneHeart is running/.test(out)) {
    if (child.exitCode !== null) throw new Error(`start exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`start not ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const pgPort = out.match(/Postgres\s+postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:(\d+)\/oneheart/)?.[1];
  assert.ok(pgPort, out);
  return { child, output: () => out, databaseUrl: `postgresql://postgres:${DEV_PASSWORD}@127.0.0.1:${pgPort}/oneheart` };
}

/** Ctrl-C as a terminal sends it: SIGINT to the whole process group. */
async function interrupt(s: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => s.child.once('exit', (code) => resolve(code)));
  process.kill(-s.child.pid!, 'SIGINT');
  return exited;
}

/**
 * Processes of the group still running. Zombies (state Z) are left out: they have exited and hold
 * only a process-table slot until whoever inherited them reaps them (in some containers PID 1
 * never does), so they are no child left running.
 */
function groupAlive(pgid: number): string {
  const ps = spawnSync('ps', ['-e', '-o', 'pgid=,pid=,stat=,args='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').map((l) => l.trim().split(/\s+/))
    .filter(([group, , stat]) => group === String(pgid) && !stat?.startsWith('Z'))
    .map(([, pid, , ...args]) => `${pid} ${args.join(' ')}`).join('\n');
}

async function query(url: string, sql: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

describe('npm start', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'oneheart-start-'));
    await chmod(dataDir, 0o755);
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  it('serves /ready = 200, stops on Ctrl-C with no child left, and keeps its data for the next start', async () => {
    const [port, chainPort] = [await freePort(), await freePort()];
    const first = await start(path.join(dataDir, 'data'), port, chainPort);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    assert.equal(ready.status, 200, await ready.text());
    // The recommender refreshes in a worker thread: it must load under npm start's own process too.
    const recommend = await fetch(`http://127.0.0.1:${port}/recommend/quests`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-internal-token': DEV_INTERNAL_TOKEN },
      body: JSON.stringify({ playerId: '00000000-0000-4000-8000-000000000000' }),
    });
    assert.equal(recommend.status, 404, await recommend.text());
    await query(first.databaseUrl, `INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES (gen_random_uuid(), 'kept', 'KE', 0, 0, 10)`);

    assert.equal(await interrupt(first), 0, first.output());
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(groupAlive(first.child.pid!), '', 'processes left after Ctrl-C');

    const second = await start(path.join(dataDir, 'data'), port, chainPort);
    try {
      const rows = await query(second.databaseUrl, `SELECT name FROM zones`);
      assert.deepEqual(rows, [{ name: 'kept' }]);
      assert.doesNotMatch(second.output(), /applied migrations/);
    } finally {
      assert.equal(await interrupt(second), 0);
    }
  });
});
