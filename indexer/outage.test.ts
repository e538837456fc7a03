import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTcpGate } from './tcp-gate.ts';
import {
  addressOf,
  checkpointOf,
  diffTables,
  indexerEnv,
  KEY_1,
  KEY_2,
  makeIndexer,
  startTestChain,
  waitCaughtUp,
  waitFor,
  type IndexerProcess,
  type TestChain,
} from './testing.ts';
import { testResources } from './test-resources.ts';

const A = addressOf(KEY_1);
const B = addressOf(KEY_2);

describe('indexer process under outages', () => {
  let chain: TestChain;
  const res = testResources(4);
  const db = res.db;
  const spawn = res.spawn;
  const failures = (p: IndexerProcess) => p.output().split('\n').filter((l) => l.includes('indexer step failed')).length;

  before(async () => {
    chain = await startTestChain();
    await chain.ops.reward(A, 1_000_000n);
    await chain.ops.fund(KEY_1, 'c1', 1_000n);
    await chain.burst(A, 30, 5);
  });
  after(async () => {
    await res.close();
    await chain?.stop();
  });

  it('waits while Postgres is unavailable (at start and while running) and resumes', async () => {
    const { url, pool } = await db();
    const pgUrl = new URL(url);
    const gate = await startTcpGate({ host: pgUrl.hostname, port: Number(pgUrl.port) });
    res.track(gate);
    const gated = new URL(url);
    gated.hostname = '127.0.0.1';
    gated.port = String(gate.port);

    // Postgres down before the indexer starts: it keeps retrying instead of exiting
    await gate.shut();
    const p = spawn(indexerEnv(chain, gated.toString(), { INDEXER_FINALITY_DEPTH: '5' }));
    await waitFor('failed attempts while Postgres is down', () => failures(p) >= 2);
    assert.equal(p.child.exitCode, null, p.output());
    await gate.open();
    await waitCaughtUp(chain, pool);

    // Postgres goes away while it runs (every connection cut, the lock's too), the chain moves on
    await gate.shut();
    const before = failures(p);
    await chain.ops.transfer(KEY_1, B, 77n);
    await chain.ops.redeem(KEY_1, 3n, 'during-outage');
    await waitFor('failed attempts during the outage', () => failures(p) >= before + 2);
    assert.equal(p.child.exitCode, null, p.output());
    await gate.open();
    await waitCaughtUp(chain, pool);
    assert.match(p.output(), /lost the indexer lock/);
    p.child.kill('SIGTERM');
    assert.equal((await p.exited).code, 0, p.output());

    const reference = await db();
    await makeIndexer(chain, reference.pool, { finalityDepth: 5 }).syncToHead();
    assert.deepEqual(await diffTables(pool, reference.pool), {});
  });

  it('exits non-zero with a clear log on a reorg deeper than the finality depth, rolling nothing back', async () => {
    const { url, pool } = await db();
    const p = spawn(indexerEnv(chain, url, { INDEXER_FINALITY_DEPTH: '3' }));
    await waitCaughtUp(chain, pool);
    const snap = await chain.snapshot();
    const epochBefore = chain.ops.epoch;
    for (let i = 0; i < 5; i++) await chain.ops.transfer(KEY_1, B, BigInt(1000 + i));
    await waitCaughtUp(chain, pool);
    const held = await checkpointOf(pool);
    await chain.revert(snap);
    chain.ops.setEpoch(epochBefore);
    for (let i = 0; i < 6; i++) await chain.ops.transfer(KEY_1, B, BigInt(2000 + i));

    const { code } = await p.exited;
    assert.equal(code, 1, p.output());
    const fatal = p.output().split('\n').filter((l) => l.includes('"level":60'));
    assert.equal(fatal.length, 1, p.output());
    assert.match(fatal[0]!, /indexer cannot continue: chain \d+: reorg deeper than the finality depth \(3 blocks\)/);
    assert.deepEqual(await checkpointOf(pool), held, 'nothing was rolled back');
  });
});
