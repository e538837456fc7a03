import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keccak256, toHex } from 'viem';
import { acquireChainLock } from './store.ts';
import { addressOf, dumpTables, KEY_1, KEY_2, makeIndexer, startTestChain, type TestChain } from './testing.ts';
import { testResources } from './test-resources.ts';

const A = addressOf(KEY_1);
const B = addressOf(KEY_2);

describe('indexer backfill', () => {
  let chain: TestChain;
  const res = testResources(6);
  const db = async () => { const d = await res.db(); return { d, pool: d.pool }; };
  let reference: Record<string, string[]>;

  before(async () => {
    chain = await startTestChain();
    const { ops } = chain;
    await ops.reward(A, 1000n);
    await ops.reward(B, 500n);
    await ops.transfer(KEY_1, B, 100n);
    await ops.redeem(KEY_2, 50n, 'r1');
    await ops.fund(KEY_1, 'c1', 10_000n);
    await ops.fund(KEY_2, 'c1', 3_333n);
    await ops.setSplit(5000, 3000, 2000);
    await ops.fund(KEY_1, 'c2', 777n);
    await ops.disburse(0, 'c1', B, 100n);
    await ops.disburse(2, 'c2', A, 7n);
    await ops.pausePool();
    await ops.unpausePool();
    await ops.pauseAnchor();
    await ops.unpauseAnchor();
    const role = keccak256(toHex('TREASURER_ROLE'));
    await ops.grantRole(role, B);
    await ops.revokeRole(role, B);
    await chain.mine(5);
  });
  after(async () => {
    await res.close();
    await chain?.stop();
  });

  it('mirrors every event type and derives balances equal to the chain', async () => {
    const { pool } = await db();
    const indexer = makeIndexer(chain, pool, { finalityDepth: 3, maxBlockRange: 2, concurrency: 3 });
    await indexer.syncToHead();
    const head = await chain.client.getBlockNumber({ cacheTime: 0 });
    assert.equal(indexer.status().indexedBlock, head);
    assert.equal(indexer.status().lag, 0n);

    const names = (await pool.query('SELECT DISTINCT event_name FROM chain_events ORDER BY 1')).rows.map((r) => r.event_name);
    for (const n of ['Claimed', 'Disbursed', 'EpochAnchored', 'Funded', 'Paused', 'Redeemed', 'RoleGranted', 'RoleRevoked', 'SplitChanged', 'Transfer', 'Unpaused']) {
      assert.ok(names.includes(n), `missing ${n} in ${names.join(',')}`);
    }
    const addresses = indexer.sources.map((s) => s.address);
    const raw = await chain.client.getLogs({ address: addresses, fromBlock: 0n, toBlock: head });
    const { rows: [count] } = await pool.query('SELECT count(*)::int AS n FROM chain_events');
    assert.equal(count.n, raw.length);

    const balances = (await pool.query('SELECT address, balance FROM token_balances')).rows;
    assert.deepEqual(new Set(balances.map((r) => r.address)), new Set([A, B]));
    for (const r of balances) assert.equal(BigInt(r.balance), await chain.read('HeartToken', 'balanceOf', [r.address]), r.address);
    assert.equal(BigInt(balances.find((r) => r.address === A).balance), 900n);
    assert.equal(BigInt(balances.find((r) => r.address === B).balance), 550n);

    const buckets = (await pool.query('SELECT bucket, funded, disbursed FROM pool_bucket_balances')).rows;
    assert.equal(buckets.length, 3);
    for (const [i, name] of ['local', 'national', 'global'].entries()) {
      const b = buckets.find((r) => r.bucket === name);
      assert.equal(BigInt(b.funded) - BigInt(b.disbursed), await chain.read('SponsorPool', 'bucketTotal', [i]), name);
    }
    const funding = (await pool.query('SELECT sponsor, campaign_id, amount, deposits FROM sponsor_funding')).rows;
    assert.equal(funding.length, 3);
    for (const sponsor of [A, B]) {
      const sum = funding.filter((r) => r.sponsor === sponsor).reduce((s, r) => s + BigInt(r.amount), 0n);
      assert.equal(sum, await chain.read('SponsorPool', 'sponsorTotal', [sponsor]));
    }
    const epochs = (await pool.query('SELECT e.epoch, e.rewards_root, e.tx_hash, c.tx_hash AS event_tx FROM chain_epochs e JOIN chain_events c ON c.event_name = $1 AND (c.args->>$2)::bigint = e.epoch ORDER BY e.epoch', ['EpochAnchored', 'epoch'])).rows;
    assert.deepEqual(epochs.map((e) => Number(e.epoch)), [1, 2]);
    for (const e of epochs) {
      assert.equal(e.tx_hash, e.event_tx);
      assert.equal(e.rewards_root, await chain.read('LedgerAnchor', 'rewardsRoot', [BigInt(e.epoch)]));
      const receipt = await chain.client.getTransactionReceipt({ hash: e.tx_hash });
      assert.equal(receipt.status, 'success');
    }
    const redemptions = (await pool.query('SELECT account, amount, redemption_id FROM chain_redemptions')).rows;
    assert.deepEqual(redemptions, [{ account: B, amount: '50', redemption_id: keccak256(toHex('r1')) }]);
    reference = await dumpTables(pool);
  });

  it('resumes after a crash mid-backfill with identical tables and no duplicates', async () => {
    const { pool } = await db();
    const crashing = makeIndexer(chain, pool, { finalityDepth: 3, maxBlockRange: 2, concurrency: 3 });
    let commits = 0;
    const commit = crashing.store.commit.bind(crashing.store);
    crashing.store.commit = async (batch) => {
      if (++commits > 4) throw new Error('simulated crash');
      return commit(batch);
    };
    await assert.rejects(crashing.syncToHead(), /simulated crash/);
    const cp = await crashing.store.checkpoint();
    const head = await chain.client.getBlockNumber({ cacheTime: 0 });
    assert.ok(cp && cp.blockNumber < head - 3n, 'the crash happened before the end of the backfill');

    await makeIndexer(chain, pool, { finalityDepth: 3, maxBlockRange: 5, concurrency: 2 }).syncToHead();
    assert.deepEqual(await dumpTables(pool), reference);
    const dups = await pool.query('SELECT chain_id, tx_hash, log_index FROM chain_events GROUP BY 1, 2, 3 HAVING count(*) > 1');
    assert.equal(dups.rowCount, 0);
  });

  it('lets one indexer per chain hold the lock; a second waits until it is released', async () => {
    const { d } = await db();
    const first = await acquireChainLock(d.url, 4242);
    let secondHeld = false;
    const second = acquireChainLock(d.url, 4242).then((l) => ((secondHeld = true), l));
    for (;;) {
      const r = await d.sql.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%pg_advisory_lock%' AND datname = current_database()`);
      if (r.rowCount) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(secondHeld, false);
    await first.release();
    await (await second).release();
    assert.equal(secondHeld, true);
  });
});
