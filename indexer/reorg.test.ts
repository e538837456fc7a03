import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hex } from 'viem';
import { NonRetryableError } from './errors.ts';
import { addressOf, dumpTables, KEY_1, KEY_2, makeIndexer, startTestChain, type TestChain } from './testing.ts';
import { testResources } from './test-resources.ts';

const A = addressOf(KEY_1);
const B = addressOf(KEY_2);
const fresh = (salt: number) => `0x${salt.toString(16).padStart(40, 'f')}` as const;

describe('indexer reorgs', () => {
  let chain: TestChain;
  const res = testResources(6);
  const db = async () => (await res.db()).pool;

  before(async () => {
    chain = await startTestChain();
    await chain.ops.reward(A, 1_000_000n);
    await chain.ops.fund(KEY_1, 'base', 1_000_000n);
  });
  after(async () => {
    await res.close();
    await chain?.stop();
  });

  let cumulative = 0n;
  /** `n` blocks of token, pool and anchor activity; `salt` makes the branch's transactions differ. */
  async function branch(n: number, salt: number): Promise<Hex[]> {
    const hashes: Hex[] = [];
    const { ops } = chain;
    for (let i = 0; hashes.length < n; i++) {
      const left = n - hashes.length;
      switch (i % 4) {
        // odd salts pay an address only their branch knows (its balance row must vanish with it)
        case 0: hashes.push(await ops.transfer(KEY_1, salt % 2 ? fresh(salt) : B, BigInt(salt * 10 + i + 1))); break;
        case 1: hashes.push(await ops.redeem(KEY_1, BigInt(salt + i), `redeem-${salt}-${i}`)); break;
        case 2:
          if (left >= 2) hashes.push(...(await ops.reward(B, (cumulative += 1000n + BigInt(salt)))));
          else hashes.push(await ops.setSplit(4000 + salt, 3000, 3000 - salt));
          break;
        default:
          // even salts fund a campaign only their branch has (its derived row must vanish with it)
          if (salt % 2 === 0) hashes.push(await ops.fund(KEY_2, `fund-${salt}`, BigInt(salt + 1)));
          else hashes.push(await ops.disburse(salt % 3, 'base', B, BigInt(salt + 1)));
          break;
      }
    }
    return hashes;
  }

  it('rolls back reorgs of depth 1 to 5 and matches a fresh index of the same chain', async () => {
    const pool = await db();
    const indexer = makeIndexer(chain, pool);
    await indexer.syncToHead();
    for (let depth = 1; depth <= 5; depth++) {
      const snap = await chain.snapshot();
      const epochBefore = chain.ops.epoch;
      const orphaned = await branch(depth, depth);
      await indexer.syncToHead();
      const seen = await pool.query('SELECT count(*)::int AS n FROM chain_events WHERE tx_hash = ANY($1)', [orphaned]);
      assert.ok(seen.rows[0].n >= depth, 'the first branch was indexed before the reorg');

      await chain.revert(snap);
      chain.ops.setEpoch(epochBefore);
      // same length for even depths (tip replaced at the same height), one block longer for odd ones
      const replacement = await branch(depth % 2 === 0 ? depth : depth + 1, 100 + depth);
      const reorgsBefore = indexer.status().reorgs;
      await indexer.syncToHead();
      assert.equal(indexer.status().reorgs, reorgsBefore + 1, `depth ${depth}: reorg detected`);

      const gone = await pool.query('SELECT count(*)::int AS n FROM chain_events WHERE tx_hash = ANY($1)', [orphaned]);
      assert.equal(gone.rows[0].n, 0, `depth ${depth}: orphaned events removed`);
      for (const table of ['chain_redemptions', 'chain_epochs']) {
        const left = await pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE tx_hash = ANY($1)`, [orphaned]);
        assert.equal(left.rows[0].n, 0, `depth ${depth}: orphaned ${table} removed`);
      }
      const present = await pool.query('SELECT count(DISTINCT tx_hash)::int AS n FROM chain_events WHERE tx_hash = ANY($1)', [replacement]);
      assert.equal(present.rows[0].n, replacement.length, `depth ${depth}: new branch indexed`);
      const head = await chain.client.getBlock({ blockTag: 'latest' });
      const cp = await indexer.store.checkpoint();
      assert.equal(cp?.blockHash, head.hash);

      const balances = (await pool.query('SELECT address, balance FROM token_balances')).rows;
      for (const r of balances) assert.equal(BigInt(r.balance), await chain.read('HeartToken', 'balanceOf', [r.address]));
      for (const [i, name] of ['local', 'national', 'global'].entries()) {
        const b = (await pool.query('SELECT funded - disbursed AS net FROM pool_bucket_balances WHERE bucket = $1', [name])).rows[0];
        assert.equal(BigInt(b.net), await chain.read('SponsorPool', 'bucketTotal', [i]), `depth ${depth}: bucket ${name}`);
      }

      const fresh = await db();
      await makeIndexer(chain, fresh).syncToHead();
      assert.deepEqual(await dumpTables(pool), await dumpTables(fresh), `depth ${depth}: equals a fresh index`);
    }
  });

  it('stops with a NonRetryableError on a reorg deeper than the finality depth', async () => {
    const pool = await db();
    const indexer = makeIndexer(chain, pool, { finalityDepth: 3 });
    await indexer.syncToHead();
    const snap = await chain.snapshot();
    const epochBefore = chain.ops.epoch;
    await branch(5, 7);
    await indexer.syncToHead();
    const before = await dumpTables(pool);
    await chain.revert(snap);
    chain.ops.setEpoch(epochBefore);
    await branch(6, 8);
    await assert.rejects(indexer.syncToHead(), (err: unknown) => err instanceof NonRetryableError && /finality depth/.test(err.message));
    assert.deepEqual(await dumpTables(pool), before, 'nothing was rolled back');
  });
});
