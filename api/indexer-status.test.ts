import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Store } from '../indexer/store.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { testApp, type TestApp } from './testing.ts';

const CHAIN_ID = 31337;
const ZERO = '0x0000000000000000000000000000000000000000';

describe('indexer progress on /ready and /metrics', () => {
  let db: TestDatabase;
  let t: TestApp;
  let pool: pg.Pool;
  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    await t.deps.storage.ensureBucket();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  after(async () => {
    await pool.end();
    await t.close();
    await db.drop();
  });

  it('shows no indexer before one has reported, and readiness does not depend on it', async () => {
    const res = await t.app.inject({ url: '/ready' });
    const body = res.json();
    assert.equal(body.indexer, null);
    // readiness is decided by the four dependency checks only (a slow loaded machine may fail one)
    assert.deepEqual(Object.keys(body.checks).sort(), ['chain', 'database', 'redis', 'storage']);
    const allOk = Object.values(body.checks as Record<string, { ok: boolean }>).every((c) => c.ok);
    assert.equal(res.statusCode, allOk ? 200 : 503, res.body);
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /^oneheart_indexer_head_block 0$/m);
  });

  it('shows head, indexed block, lag and events/s as the indexer reported them', async () => {
    // what the indexer writes: its checkpoint (with each commit) and its status (indexer/run.ts)
    const store = new Store(pool, { chainId: CHAIN_ID, token: ZERO, anchor: ZERO, pool: ZERO }, 64);
    await pool.query(`INSERT INTO indexer_checkpoints (name, chain_id, block_number, block_hash) VALUES ($1, $2, 90, $3)`, [
      `indexer:${CHAIN_ID}`,
      CHAIN_ID,
      `0x${'ab'.repeat(32)}`,
    ]);
    await store.saveStatus({ head: 100n, eventsPerSecond: 1234.5, reorgs: 2 });

    const res = await t.app.inject({ url: '/ready' });
    const { indexer } = res.json();
    assert.deepEqual(
      { chainId: indexer.chainId, head: indexer.head, indexedBlock: indexer.indexedBlock, lag: indexer.lag, eventsPerSecond: indexer.eventsPerSecond, reorgs: indexer.reorgs },
      { chainId: CHAIN_ID, head: 100, indexedBlock: 90, lag: 10, eventsPerSecond: 1234.5, reorgs: 2 },
    );
    assert.ok(indexer.ageSeconds >= 0);
    assert.ok(!Number.isNaN(Date.parse(indexer.updatedAt)));

    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /^oneheart_indexer_head_block 100$/m);
    assert.match(metrics, /^oneheart_indexer_block 90$/m);
    assert.match(metrics, /^oneheart_indexer_lag_blocks 10$/m);
    assert.match(metrics, /^oneheart_indexer_events_per_second 1234\.5$/m);
    assert.match(metrics, /^oneheart_indexer_status_age_seconds \d/m);

    // the next report moves every figure
    await pool.query(`UPDATE indexer_checkpoints SET block_number = 101`);
    await store.saveStatus({ head: 101n, eventsPerSecond: 0, reorgs: 2 });
    const again = (await t.app.inject({ url: '/ready' })).json().indexer;
    assert.equal(again.lag, 0);
    assert.equal(again.indexedBlock, 101);
  });
});
