import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hex } from 'viem';
import { chaosSeed } from '../lib/config.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
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
  type IndexerProcess,
  type TestChain,
} from './testing.ts';
import { testResources } from './test-resources.ts';

const A = addressOf(KEY_1);
const B = addressOf(KEY_2);
const FINALITY = 10;

/**
 * One seeded run of everything at once: the indexer process reads through the fault proxy, is
 * SIGKILLed at seeded points of its backfill and restarted, then lives through a reorg (sometimes
 * killed between seeing the orphaned branch and the replacement). The seed fixes the fault draws,
 * kill points, reorg depth and transactions; `CHAOS_SEED=<seed>` replays them (the exact
 * interleaving with the indexer's timing can still differ).
 */
describe('indexer chaos run', () => {
  let chain: TestChain;
  let proxy: FaultProxy | undefined;
  const res = testResources(4);
  const db = res.db;

  before(async () => {
    chain = await startTestChain();
    await chain.ops.reward(A, 1_000_000n);
    await chain.ops.fund(KEY_1, 'base', 100_000n);
    await chain.burst(A, 80, 10);
  });
  after(async () => {
    await res.close();
    await chain?.stop();
  });

  let cumulative = 0n;
  /** `n` blocks of seeded activity on every contract; `salt` makes a branch's transactions its own. */
  async function activity(random: () => number, n: number, salt: number): Promise<Hex[]> {
    const hashes: Hex[] = [];
    const { ops } = chain;
    for (let i = 0; hashes.length < n; i++) {
      switch (randomInt(random, 0, n - hashes.length >= 2 ? 4 : 3)) {
        case 0: hashes.push(await ops.transfer(KEY_1, `0x${(salt * 100 + i).toString(16).padStart(40, 'e')}`, BigInt(salt * 100 + i + 1))); break;
        case 1: hashes.push(await ops.redeem(KEY_1, BigInt(salt + i + 1), `chaos-${salt}-${i}`)); break;
        case 2: hashes.push(await ops.disburse(randomInt(random, 0, 2), 'base', B, BigInt(salt + i + 1))); break;
        case 3:
          if (random() < 0.5) hashes.push(await ops.setSplit(4000 + salt, 3000, 3000 - salt));
          else hashes.push(await ops.fund(KEY_2, random() < 0.5 ? 'base' : `chaos-${salt}-${i}`, BigInt(salt + i + 1)));
          break;
        default: hashes.push(...(await ops.reward(B, (cumulative += 1_000n + BigInt(salt))))); break;
      }
    }
    return hashes;
  }

  it('survives kills, RPC faults and a reorg with tables equal to a direct run', async (t) => {
    const seed = seedOr(chaosSeed());
    t.diagnostic(`CHAOS_SEED=${seed}`);
    const random = seededRandom(seed);
    proxy = res.track(await startFaultProxy(chain.url, {
      seed,
      rates: { drop: 0.03, delay: 0.08, serverError: 0.03, tooMany: 0.03, truncate: 0.03 },
      maxDelayMs: 150,
    }));
    const { url, pool } = await db();
    const env = indexerEnv(chain, url, {
      RPC_URL: proxy.url,
      INDEXER_FINALITY_DEPTH: String(FINALITY),
      INDEXER_MAX_BLOCK_RANGE: String(randomInt(random, 2, 6)),
      INDEXER_CONCURRENCY: String(randomInt(random, 1, 3)),
    });
    const spawn = () => res.spawn(env);
    const kill = async (p: IndexerProcess) => {
      p.child.kill('SIGKILL');
      await p.exited;
    };

    // backfill, killed at seeded checkpoints
    const head = Number(await chain.client.getBlockNumber({ cacheTime: 0 }));
    const kills = randomInt(random, 1, 2);
    const points = Array.from({ length: kills }, () => randomInt(random, 1, head - FINALITY - 1)).sort((a, b) => a - b);
    for (const point of points) {
      const p = spawn();
      await waitFor(`checkpoint ≥ ${point}`, async () => ((await checkpointOf(pool))?.blockNumber ?? 0n) >= BigInt(point));
      await kill(p);
      t.diagnostic(`killed at block ${(await checkpointOf(pool))?.blockNumber}`);
    }

    // live tail through a reorg
    let p = spawn();
    await waitCaughtUp(chain, pool);
    const depth = randomInt(random, 1, 4);
    const snap = await chain.snapshot();
    const epochBefore = chain.ops.epoch;
    const orphaned = await activity(random, depth, 1);
    await waitCaughtUp(chain, pool);
    const killAcrossReorg = random() < 0.5;
    if (killAcrossReorg) await kill(p);
    await chain.revert(snap);
    chain.ops.setEpoch(epochBefore);
    const replacement = await activity(random, depth + randomInt(random, 0, 1), 2);
    if (killAcrossReorg) p = spawn();
    t.diagnostic(`reorg of depth ${depth}${killAcrossReorg ? ', indexer killed across it' : ''}`);
    await waitCaughtUp(chain, pool);
    await activity(random, 3, 3);
    await waitCaughtUp(chain, pool);
    p.child.kill('SIGTERM');
    assert.equal((await p.exited).code, 0, p.output());
    t.diagnostic(`proxy: ${JSON.stringify(proxy.stats)}`);

    const reference = await db();
    await makeIndexer(chain, reference.pool, { finalityDepth: FINALITY }).syncToHead();
    assert.deepEqual(await diffTables(pool, reference.pool), {}, `CHAOS_SEED=${seed}`);
    assert.equal(await duplicateEvents(pool), 0, `CHAOS_SEED=${seed}`);
    const gone = await pool.query('SELECT count(*)::int AS n FROM chain_events WHERE tx_hash = ANY($1)', [orphaned]);
    assert.equal(gone.rows[0].n, 0, `CHAOS_SEED=${seed}: orphaned events removed`);
    const present = await pool.query('SELECT count(DISTINCT tx_hash)::int AS n FROM chain_events WHERE tx_hash = ANY($1)', [replacement]);
    assert.equal(present.rows[0].n, new Set(replacement).size, `CHAOS_SEED=${seed}: new branch indexed`);
  });
});
