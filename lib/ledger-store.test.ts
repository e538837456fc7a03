import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { decodeEntry, verifyChain } from '../ledger/index.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { entryInput, seedActions } from '../test/ledger/seed.ts';
import { appendEntry, readEncodedRange } from './ledger-store.ts';

async function inTx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  } finally {
    c.release();
  }
}

async function count(db: TestDatabase): Promise<{ n: number; max: number | null }> {
  const { rows } = await db.sql.query('SELECT count(*)::int AS n, max(seq)::int AS max FROM ledger_entries');
  return rows[0];
}

describe('ledger store appendEntry', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 60 });
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  it('50 concurrent appends in separate transactions form one gapless valid chain', async () => {
    const { mission, address, actions } = await seedActions(db.sql, 50);
    const stored = await Promise.all(actions.map((a) => inTx(pool, (c) => appendEntry(c, entryInput(a, mission, address)))));
    assert.deepEqual(stored.map((s) => Number(s.seq)).sort((x, y) => x - y), [...Array(50).keys()]);
    const encoded = await readEncodedRange(db.sql, 0, 50);
    const result = verifyChain(encoded);
    assert.equal(result.ok, true, result.ok ? "" : result.reason);
    assert.deepEqual(new Set(encoded.map((e) => decodeEntry(e).actionId)), new Set(actions));
    const { rows } = await db.sql.query('SELECT seq, entry_hash, prev_hash FROM ledger_entries ORDER BY seq');
    assert.deepEqual(rows[0].prev_hash, Buffer.alloc(32));
    for (let i = 1; i < rows.length; i++) assert.deepEqual(rows[i].prev_hash, rows[i - 1].entry_hash);
  });

  it('the same action appended concurrently 10 times yields one entry', async () => {
    const before = await count(db);
    const { mission, address, actions } = await seedActions(db.sql, 1, '22');
    const a = actions[0] as string;
    const out = await Promise.all(Array.from({ length: 10 }, () => inTx(pool, (c) => appendEntry(c, entryInput(a, mission, address)))));
    assert.equal(out.filter((s) => s.created).length, 1);
    assert.equal(new Set(out.map((s) => s.seq)).size, 1);
    const { rows } = await db.sql.query('SELECT count(*)::int AS n FROM ledger_entries WHERE action_id = $1', [a]);
    assert.equal(rows[0].n, 1);
    assert.equal((await count(db)).n, before.n + 1);
  });

  it('a rolled-back caller transaction leaves no entry and no gap', async () => {
    const before = await count(db);
    const { mission, address, actions } = await seedActions(db.sql, 2, '33');
    await assert.rejects(inTx(pool, async (c) => {
      await appendEntry(c, entryInput(actions[0] as string, mission, address));
      throw new Error('caller failed');
    }), /caller failed/);
    assert.deepEqual(await count(db), before);
    const s = await inTx(pool, (c) => appendEntry(c, entryInput(actions[1] as string, mission, address)));
    assert.equal(Number(s.seq), (before.max ?? -1) + 1);
    const n = (await count(db)).n;
    assert.equal(verifyChain(await readEncodedRange(db.sql, 0, n)).ok, true);
  });

  it('appends as the least-privileged application role (no UPDATE/DELETE/TRUNCATE on the ledger)', async () => {
    const before = await count(db);
    const { mission, address, actions } = await seedActions(db.sql, 1, '44');
    const s = await inTx(pool, async (c) => {
      await c.query('SET LOCAL ROLE oneheart_app');
      return appendEntry(c, entryInput(actions[0] as string, mission, address));
    });
    assert.equal(Number(s.seq), (before.max ?? -1) + 1);
  });
});
