import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { chaosSeed } from '../lib/config.ts';
import { randomInt, seededRandom, seedOr } from './seeded.ts';
import {
  addressOf,
  checkpointOf,
  diffTables,
  duplicateEvents,
  indexerEnv,
  KEY_1,
  KEY_2,
  makeIndexer,
  startTestChain,
  waitCaughtUp,
  waitFor,
  type TestChain,
} from './testing.ts';
import { testResources } from './test-resources.ts';

const A = addressOf(KEY_1);
const B = addressOf(KEY_2);
const FINALITY = 5;
/** Small ranges, one request at a time: the backfill takes many commits, so kills land inside it. */
const SLOW_BACKFILL = { INDEXER_FINALITY_DEPTH: String(FINALITY), INDEXER_MAX_BLOCK_RANGE: '2', INDEXER_CONCURRENCY: '1' };

describe('indexer process killed and restarted', () => {
  let chain: TestChain;
  const res = testResources(4);
  const db = res.db;
  const spawn = res.spawn;
  let reference: pg.Pool;

  before(async () => {
    chain = await startTestChain();
    await chain.ops.reward(A, 1_000_000n);
    await chain.ops.fund(KEY_1, 'c1', 50_000n);
    await chain.burst(A, 120, 12);
    await chain.ops.transfer(KEY_1, B, 99n);
    await chain.ops.redeem(KEY_2, 9n, 'r1');
    await chain.ops.disburse(2, 'c1', B, 5n);
    await chain.burst(A, 40, 8);
    reference = (await db()).pool;
    await makeIndexer(chain, reference, { finalityDepth: FINALITY }).syncToHead();
  });
  after(async () => {
    await res.close();
    await chain?.stop();
  });

  it('SIGKILLed at seeded points during backfill, then restarted, ends equal to an uninterrupted run', async (t) => {
    const seed = seedOr(chaosSeed());
    t.diagnostic(`CHAOS_SEED=${seed}`);
    const random = seededRandom(seed);
    const { url, pool } = await db();
    const start = BigInt(Math.min(...Object.values(chain.deployments.contracts).map((c) => c.blockNumber)));
    const head = await chain.client.getBlockNumber({ cacheTime: 0 });
    const backfillEnd = Number(head) - FINALITY;
    const points = Array.from({ length: 3 }, () => randomInt(random, Number(start) + 1, backfillEnd - 1)).sort((a, b) => a - b);
    for (const point of points) {
      const p = spawn(indexerEnv(chain, url, SLOW_BACKFILL));
      await waitFor(`checkpoint ≥ ${point}`, async () => ((await checkpointOf(pool))?.blockNumber ?? 0n) >= BigInt(point));
      await new Promise((r) => setTimeout(r, randomInt(random, 0, 40)));
      p.child.kill('SIGKILL');
      assert.equal((await p.exited).signal, 'SIGKILL');
      t.diagnostic(`killed at block ${(await checkpointOf(pool))?.blockNumber} (point ${point}, backfill ends at ${backfillEnd})`);
    }
    const last = spawn(indexerEnv(chain, url, SLOW_BACKFILL));
    await waitCaughtUp(chain, pool);
    // a kill past the backfill leaves nothing to catch up: wait until this process handles SIGTERM
    await waitFor('the last indexer to start', () => last.output().includes('indexer started'));
    last.child.kill('SIGTERM');
    assert.equal((await last.exited).code, 0, last.output());

    assert.deepEqual(await diffTables(pool, reference), {});
    assert.equal(await duplicateEvents(pool), 0);
  });

  it('a second instance waits on the advisory lock and takes over when the first is killed', async () => {
    const { url, pool } = await db();
    const first = spawn(indexerEnv(chain, url, SLOW_BACKFILL));
    await waitFor('the first instance to commit', async () => (await checkpointOf(pool)) !== null);
    const second = spawn(indexerEnv(chain, url, SLOW_BACKFILL));
    await waitFor('the second instance to wait on the lock', async () => {
      const r = await pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%pg_advisory_lock%'`);
      return r.rowCount === 1;
    });
    assert.match(second.output(), /waiting for the indexer lock/);
    assert.doesNotMatch(second.output(), /indexer lock held/);
    first.child.kill('SIGKILL');
    await first.exited;
    await waitFor('the second instance to take the lock', () => /indexer lock held/.test(second.output()));
    await waitCaughtUp(chain, pool);
    second.child.kill('SIGTERM');
    assert.equal((await second.exited).code, 0, second.output());
    assert.deepEqual(await diffTables(pool, reference), {});
  });
});
