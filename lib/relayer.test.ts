import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { parseEther, type Address, type Hex, type PublicClient } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { createChainReader } from './chain.ts';
import { testServices } from './config.ts';
import { Relayer } from './relayer.ts';

describe('Relayer: one operator account, several instances', () => {
  // A fresh operator funded by the dev node: no dev account's nonce is shared with other files.
  const key: Hex = generatePrivateKey();
  let db: TestDatabase;
  let chain: PublicClient;
  const pools: pg.Pool[] = [];
  let a: Relayer;
  let b: Relayer;
  before(async () => {
    db = await freshDatabase();
    chain = createChainReader(testServices().RPC_URL);
    await chain.request({ method: 'hardhat_setBalance', params: [privateKeyToAccount(key).address, `0x${parseEther('10').toString(16)}`] } as never);
    // two instances: separate connection pools and separate signing clients, as in two API processes
    for (let i = 0; i < 2; i++) pools.push(new pg.Pool({ connectionString: db.url, max: 3 }));
    a = new Relayer({ pool: pools[0]!, chain, rpcUrl: testServices().RPC_URL, privateKey: key });
    b = new Relayer({ pool: pools[1]!, chain, rpcUrl: testServices().RPC_URL, privateKey: key });
  });
  after(async () => {
    for (const p of pools) await p.end();
    await db.drop();
  });
  const to = privateKeyToAccount(generatePrivateKey()).address as Address;

  it('two instances sending concurrently never reuse a nonce, and every transaction confirms', async () => {
    const sent = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).send({ kind: 'test', ref: `burst-${i}`, to, data: '0x' })));
    const nonces = sent.map((t) => t.nonce).sort((x, y) => x - y);
    assert.deepEqual(nonces, Array.from({ length: 24 }, (_, i) => i), 'contiguous, no collisions, no gaps');
    const receipts = await Promise.all(sent.map((t) => chain.waitForTransactionReceipt({ hash: t.txHash })));
    assert.ok(receipts.every((r) => r.status === 'success'));
    assert.equal(await chain.getTransactionCount({ address: a.address }), 24);
    assert.equal(await b.followPending(), 24, 'confirmation following records every outcome');
    const rows = (await db.sql.query(`SELECT status, count(*)::int AS n FROM relayer_transactions GROUP BY status`)).rows;
    assert.deepEqual(rows, [{ status: 'confirmed', n: 24 }]);
  });

  it('is idempotent per (kind, ref), also across instances', async () => {
    const [x, y] = await Promise.all([a.send({ kind: 'test', ref: 'once', to, data: '0x' }), b.send({ kind: 'test', ref: 'once', to, data: '0x' })]);
    assert.equal(x.txHash, y.txHash);
    const again = await b.send({ kind: 'test', ref: 'once', to, data: '0x' });
    assert.equal(again.txHash, x.txHash);
    assert.deepEqual((await a.wait(again)).status, 'confirmed');
    assert.equal((await a.find('test', 'once'))?.status, 'confirmed');
    assert.equal(await a.find('test', 'never'), null);
  });

  it('a pending transaction the node forgot is marked failed and stops holding its nonce', async () => {
    const next = await chain.getTransactionCount({ address: a.address, blockTag: 'pending' });
    await db.sql.query(
      `INSERT INTO relayer_transactions (chain_id, sender, nonce, kind, ref, tx_hash, updated_at) VALUES ($1, $2, $3, 'test', 'evicted', $4, now() - interval '1 hour')`,
      [await chain.getChainId(), a.address, next, `0x${'ee'.repeat(32)}`]);
    assert.equal(await a.followPending(), 1);
    assert.equal((await a.find('test', 'evicted'))?.status, 'failed');
    const sent = await a.send({ kind: 'test', ref: 'evicted', to, data: '0x' });
    assert.deepEqual([sent.nonce, sent.status], [next, 'pending'], 'the forgotten nonce is reused, no gap; the action is sent again');
    assert.equal((await a.wait(sent)).status, 'confirmed');
  });

  it('records nothing when the node refuses the transaction', async () => {
    const before = (await db.sql.query('SELECT count(*)::int AS n FROM relayer_transactions')).rows[0].n;
    // a gas limit below the intrinsic 21,000 is refused by the node
    await assert.rejects(a.send({ kind: 'test', ref: 'refused', to, data: '0x', gas: 1n }));
    assert.equal((await db.sql.query('SELECT count(*)::int AS n FROM relayer_transactions')).rows[0].n, before);
    const next = await a.send({ kind: 'test', ref: 'after-refusal', to, data: '0x' });
    assert.equal(next.nonce, before, 'the refused send left no nonce gap');
  });
});
