import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadTlogConfig, testServices } from '../lib/config.ts';
import { appendEntry } from '../lib/ledger-store.ts';
import { Storage } from '../lib/storage.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { entryInput, seedActions } from '../test/ledger/seed.ts';
import type { NoteSigner } from './checkpoint.ts';
import { publishedCheckpoint, signerFromConfig } from './publisher.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ORIGIN = 'oneheart.test/sequencer';

async function append(pool: pg.Pool, db: TestDatabase, n: number, byte: string): Promise<void> {
  const { mission, address, actions } = await seedActions(db.sql, n, byte);
  const c = await pool.connect();
  try {
    for (const a of actions) {
      await c.query('BEGIN');
      await appendEntry(c, entryInput(a, mission, address, 10n ** 18n));
      await c.query('COMMIT');
    }
  } finally {
    c.release();
  }
}

describe('tlog sequencer (tlog/main.ts) as a child process', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let storage: Storage;
  let signer: NoteSigner;
  let env: Record<string, string>;
  let child: ChildProcess | undefined;

  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    env = {
      ...testServices(),
      DATABASE_URL: db.url,
      S3_BUCKET: `oneheart-seq-${Date.now()}`,
      TLOG_ORIGIN: ORIGIN,
      TLOG_PUBLISH_INTERVAL_MS: '200',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
    };
    const config = loadTlogConfig(env);
    storage = new Storage(config);
    signer = await signerFromConfig(config);
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await pool.end();
    storage.destroy();
    await db.drop();
  });

  it('publishes at start and on each tick, then stops cleanly on SIGTERM', async () => {
    await append(pool, db, 5, '41');
    // The bucket does not exist yet: the sequencer creates it.
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tlog/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

    const publishedSize = async () => (await publishedCheckpoint(storage, signer, ORIGIN).catch(() => null))?.size ?? -1;
    const waitForSize = async (size: number) => {
      const deadline = Date.now() + 60_000;
      let seen = -1;
      while (Date.now() < deadline) {
        assert.equal(child?.exitCode, null, `sequencer exited early:\n${output}`);
        seen = await publishedSize();
        if (seen === size) return;
        await sleep(100);
      }
      assert.fail(`checkpoint size ${seen}, expected ${size}, after 60 s:\n${output}`);
    };

    await waitForSize(5);
    await append(pool, db, 7, '42');
    await waitForSize(12);

    child.kill('SIGTERM');
    const [code, signal] = await exited;
    assert.equal(signal, null, output);
    assert.equal(code, 0, output);
    assert.match(output, /"size":12/);
    assert.match(output, /tlog sequencer stopped/);
  });
});
