import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { emptyDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from './migrator.ts';

describe('migrator', () => {
  let db: TestDatabase;
  let dir: string;

  before(async () => {
    db = await emptyDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'oneheart-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
  });
  after(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies every migration in order, each recorded with its checksum', async () => {
    const all = await readMigrations(dir);
    const result = await migrate(db.url, dir);
    assert.deepEqual(result.applied, all.map((m) => m.name));
    const { rows } = await db.sql.query('SELECT name, checksum FROM "_migrations" ORDER BY name');
    assert.deepEqual(rows, all.map((m) => ({ name: m.name, checksum: m.checksum })));
  });

  it('is safe to run twice and concurrently: nothing is applied again', async () => {
    const runs = await Promise.all([migrate(db.url, dir), migrate(db.url, dir), migrate(db.url, dir)]);
    for (const r of runs) assert.deepEqual(r.applied, []);
  });

  it('applies a new migration once even when started concurrently', async () => {
    await mkdir(path.join(dir, '29990101000000_add_probe'));
    await writeFile(path.join(dir, '29990101000000_add_probe/migration.sql'), 'CREATE TABLE "probe" ("id" INT PRIMARY KEY);');
    const runs = await Promise.all([migrate(db.url, dir), migrate(db.url, dir)]);
    assert.deepEqual(runs.flatMap((r) => r.applied), ['29990101000000_add_probe']);
  });

  it('refuses an applied migration that was edited, and applies nothing', async () => {
    await writeFile(path.join(dir, '29990101000000_add_probe/migration.sql'), 'CREATE TABLE "probe" ("id" BIGINT PRIMARY KEY);');
    await mkdir(path.join(dir, '29990102000000_after_edit'));
    await writeFile(path.join(dir, '29990102000000_after_edit/migration.sql'), 'CREATE TABLE "after_edit" ("id" INT);');
    await assert.rejects(migrate(db.url, dir), (err: Error) => err instanceof MigrationError && /29990101000000_add_probe was edited/.test(err.message));
    const { rowCount } = await db.sql.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'after_edit'`);
    assert.equal(rowCount, 0);
  });

  it('refuses a database that has migrations the code does not know', async () => {
    await rm(path.join(dir, '29990101000000_add_probe'), { recursive: true });
    await rm(path.join(dir, '29990102000000_after_edit'), { recursive: true });
    await assert.rejects(migrate(db.url, dir), /does not know: 29990101000000_add_probe/);
  });

  it('rolls a failing migration back entirely', async () => {
    const fresh = await emptyDatabase();
    const bad = await mkdtemp(path.join(os.tmpdir(), 'oneheart-bad-'));
    try {
      await mkdir(path.join(bad, '20000101000000_half'));
      await writeFile(path.join(bad, '20000101000000_half/migration.sql'), 'CREATE TABLE "half" ("id" INT); SELECT no_such_function();');
      await assert.rejects(migrate(fresh.url, bad), /20000101000000_half failed/);
      const { rowCount } = await fresh.sql.query(`SELECT 1 FROM information_schema.tables WHERE table_name IN ('half')`);
      assert.equal(rowCount, 0);
      const recorded = await fresh.sql.query('SELECT count(*)::int AS n FROM "_migrations"');
      assert.equal(recorded.rows[0].n, 0);
    } finally {
      await fresh.drop();
      await rm(bad, { recursive: true, force: true });
    }
  });
});
