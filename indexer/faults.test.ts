import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPublicClient, http, HttpRequestError } from 'viem';
import { chaosSeed } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { isRetryable, NonRetryableError, RetryableError } from './errors.ts';
import { FAULTS, NO_FAULTS, startFaultProxy } from './fault-proxy.ts';
import { runIndexer } from './run.ts';
import { seedOr } from './seeded.ts';
import { addressOf, diffTables, duplicateEvents, KEY_1, KEY_2, makeIndexer, startTestChain, waitCaughtUp, waitFor, type TestChain } from './testing.ts';
import { testResources } from './test-resources.ts';

const A = addressOf(KEY_1);
const B = addressOf(KEY_2);

describe('indexer behind a faulty RPC', () => {
  let chain: TestChain;
  const res = testResources(6);
  const db = res.db;

  before(async () => {
    chain = await startTestChain();
    await chain.ops.reward(A, 1_000_000n);
    await chain.ops.fund(KEY_1, 'c1', 50_000n);
    await chain.ops.redeem(KEY_1, 10n, 'r0');
    await chain.burst(A, 60, 15);
  });
  after(async () => {
    await res.close();
    await chain?.stop();
  });

  it('tells retryable RPC failures (drops, 5xx, 429, truncated JSON) from non-retryable ones', async () => {
    for (const fault of ['drop', 'serverError', 'tooMany', 'truncate'] as const) {
      const proxy = await startFaultProxy(chain.url, { seed: 1, rates: { ...NO_FAULTS, [fault]: 1 } });
      res.track(proxy);
      const client = createPublicClient({ transport: http(proxy.url, { retryCount: 0 }) });
      const err = await client.getBlockNumber({ cacheTime: 0 }).then(() => null, (e: unknown) => e);
      assert.ok(err instanceof Error, `${fault}: the request failed`);
      assert.equal(isRetryable(err), true, `${fault}: ${(err as Error).message}`);
      if (fault === 'truncate') assert.ok(err instanceof HttpRequestError && err.cause instanceof SyntaxError, 'a truncated body is a JSON syntax error');
    }
    const direct = createPublicClient({ transport: http(chain.url, { retryCount: 0 }) });
    const unknownMethod = await direct.request({ method: 'eth_noSuchMethod' } as never).then(() => null, (e: unknown) => e);
    assert.equal(isRetryable(unknownMethod), false, `method not found: ${(unknownMethod as Error).message}`);
    const badParams = await direct.request({ method: 'eth_getBlockByNumber', params: ['not-a-block', false] } as never).then(() => null, (e: unknown) => e);
    assert.equal(isRetryable(badParams), false, `invalid params: ${(badParams as Error).message}`);
    assert.equal(isRetryable(new NonRetryableError('reorg deeper than the finality depth')), false);
    assert.equal(isRetryable(new RetryableError('chain moved', { cause: new NonRetryableError('x') })), true);
  });

  it('backfill and live tail through drops, delays, 5xx, 429s and truncated bodies end equal to a direct run', async (t) => {
    const seed = seedOr(chaosSeed());
    t.diagnostic(`CHAOS_SEED=${seed}`);
    const proxy = await startFaultProxy(chain.url, {
      seed,
      rates: { drop: 0.06, delay: 0.1, serverError: 0.06, tooMany: 0.06, truncate: 0.06 },
      maxDelayMs: 200,
    });
    res.track(proxy);
    const { url, pool } = await db();
    const indexer = makeIndexer(chain, pool, { finalityDepth: 5, maxBlockRange: 2, concurrency: 3 }, proxy.url);
    const stop = new AbortController();
    const running = runIndexer(indexer, { databaseUrl: url, pollMs: 50, signal: stop.signal, logger: createLogger('indexer', 'silent') });
    try {
      await waitCaughtUp(chain, pool);
      // live tail: new activity on every contract while the indexer polls through the proxy
      await chain.ops.reward(B, 5_000n);
      await chain.ops.transfer(KEY_2, A, 70n);
      await chain.ops.fund(KEY_2, 'c2', 900n);
      await chain.ops.disburse(1, 'c1', B, 11n);
      await chain.ops.redeem(KEY_2, 5n, 'r1');
      await chain.burst(A, 5, 10);
      await chain.ops.setSplit(4000, 4000, 2000);
      await waitCaughtUp(chain, pool);
      const head = await chain.client.getBlockNumber({ cacheTime: 0 });
      await waitFor('the indexer to publish its status for the API', async () => {
        const r = await pool.query<{ head_block: string }>('SELECT head_block FROM indexer_status');
        return r.rows[0] !== undefined && BigInt(r.rows[0].head_block) === head;
      });
    } finally {
      stop.abort();
      await running;
    }
    t.diagnostic(`proxy: ${JSON.stringify(proxy.stats)}`);
    for (const f of FAULTS) assert.ok(proxy.stats[f] > 0, `fault ${f} was injected (${JSON.stringify(proxy.stats)})`);

    const reference = await db();
    await makeIndexer(chain, reference.pool, { finalityDepth: 5 }).syncToHead();
    assert.deepEqual(await diffTables(pool, reference.pool), {});
    assert.equal(await duplicateEvents(pool), 0);
  });
});
