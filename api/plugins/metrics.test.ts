import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { VERIFY_QUEUE } from '../../lib/queues.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { testApp, uniquePrefix, type TestApp } from '../testing.ts';

describe('GET /metrics', () => {
  let db: TestDatabase;
  let t: TestApp;
  let prefix: string;
  before(async () => {
    db = await freshDatabase();
    prefix = uniquePrefix().replace(/:$/, '');
    t = await testApp(db.url, { VERIFIER_QUEUE_PREFIX: prefix });
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  it('counts requests by route and status, and reports ledger, epoch, queue, indexer and database pool state', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await t.app.inject({ url: '/health' })).statusCode, 200);
    await t.app.inject({ url: '/nope' });
    const queue = new Queue(VERIFY_QUEUE, { connection: t.deps.redis, prefix });
    await queue.add('verify', { actionId: 'x' }, { jobId: 'metrics-probe' });
    const head = Number(await t.deps.chain.getBlockNumber({ cacheTime: 0 }));
    await db.sql.query(`INSERT INTO indexer_checkpoints (name, chain_id, block_number, block_hash) VALUES ('metrics-probe', 31337, $1, $2)`, [Math.max(0, head - 2), `0x${'0'.repeat(64)}`]);

    const res = await t.app.inject({ url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/plain/);
    const body = res.body;
    assert.match(body, /oneheart_http_requests_total\{method="GET",route="\/health",status="200"\} 3/);
    assert.match(body, /oneheart_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    assert.match(body, /oneheart_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/health",status="200"\}/);
    assert.match(body, /^oneheart_ledger_entries 0$/m);
    assert.match(body, /^oneheart_latest_anchored_epoch 0$/m);
    assert.match(body, /^oneheart_latest_epoch 0$/m);
    assert.match(body, /oneheart_http_errors_total\{method="GET",route="unmatched",class="4xx"\} 1/);
    assert.doesNotMatch(body, /oneheart_http_errors_total\{[^}]*route="\/health"/, '2xx are not errors');
    for (const status of ['closing', 'exported', 'anchoring', 'anchored']) assert.match(body, new RegExp(`^oneheart_epochs\\{status="${status}"\\} 0$`, 'm'));
    assert.match(body, new RegExp(`^oneheart_indexer_block ${Math.max(0, head - 2)}$`, 'm'));
    assert.match(body, /^oneheart_indexer_lag_blocks \d+$/m);
    assert.match(body, /oneheart_queue_jobs\{queue="verify-proof",state="waiting"\} 1/);
    assert.match(body, /^process_resident_memory_bytes \d+/m);
    assert.match(body, /^oneheart_db_pool\{state="max"\} 10$/m);
    assert.match(body, /^oneheart_db_pool\{state="waiting"\} 0$/m);
    const open = Number(/^oneheart_db_pool\{state="open"\} (\d+)$/m.exec(body)?.[1]);
    assert.ok(open >= 0 && open <= 10, `open connections ${open}`);
    await queue.obliterate({ force: true });
    await queue.close();
  });
});
