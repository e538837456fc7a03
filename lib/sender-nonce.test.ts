import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { toHex, type Address, type Hex, type PublicClient } from 'viem';
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { createChainReader, createChainWriter } from './chain.ts';
import { testServices } from './config.ts';
import { Relayer } from './relayer.ts';
import { sendWithSenderLock } from './sender-nonce.ts';

// Hardhat dev account #19 (standard mnemonic): this file's own sender, so no other file shares its nonces.
const KEY = toHex(mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: 19 }).getHdKey().privateKey!) as Hex;

describe('operator-key senders share one nonce lock (relayer + epoch anchoring)', () => {
  let db: TestDatabase;
  let chain: PublicClient;
  const pools: pg.Pool[] = [];
  before(async () => {
    db = await freshDatabase();
    chain = createChainReader(testServices().RPC_URL);
    for (let i = 0; i < 2; i++) pools.push(new pg.Pool({ connectionString: db.url, max: 3 }));
  });
  after(async () => {
    for (const p of pools) await p.end();
    await db.drop();
  });

  it('a relayer and an anchoring-style sender racing on the same key never reuse a nonce, and every transaction lands', async () => {
    const relayer = new Relayer({ pool: pools[0]!, chain, rpcUrl: testServices().RPC_URL, privateKey: KEY });
    const writer = createChainWriter(testServices().RPC_URL, KEY); // as scripts/epoch-close.ts: its own signing client and pool
    const account = writer.account!;
    const to = privateKeyToAccount(generatePrivateKey()).address as Address;
    const start = await chain.getTransactionCount({ address: account.address, blockTag: 'pending' });
    const N = 10;
    const hashes = await Promise.all(Array.from({ length: 2 * N }, (_, i) => i % 2
      ? relayer.send({ kind: 'test', ref: `nonce-${i}`, to, data: '0x' }).then((t) => t.txHash)
      : sendWithSenderLock({ pool: pools[1]!, chain }, account.address, (nonce) => writer.sendTransaction({ account, chain: null, to, data: '0x01', nonce }))));
    const receipts = await Promise.all(hashes.map((hash) => chain.waitForTransactionReceipt({ hash })));
    assert.ok(receipts.every((r) => r.status === 'success'));
    const nonces = (await Promise.all(hashes.map((hash) => chain.getTransaction({ hash })))).map((t) => t.nonce).sort((a, b) => a - b);
    assert.deepEqual(nonces, Array.from({ length: 2 * N }, (_, i) => start + i), 'contiguous, no collisions, no gaps');
    assert.equal(await chain.getTransactionCount({ address: account.address }), start + 2 * N);
  });

  it('the sends of one pool queue in memory: while one holds the lock, the pool still has connections for other queries', { timeout: 60_000 }, async () => {
    const writer = createChainWriter(testServices().RPC_URL, KEY);
    const account = writer.account!;
    const pool = pools[1]!; // 3 connections
    const relayer = new Relayer({ pool, chain, rpcUrl: testServices().RPC_URL, privateKey: KEY });
    await relayer.send({ kind: 'test', ref: 'turn-warm-up', to: account.address, data: '0x' }); // it now knows the chain id: its next sends ask the pool at once
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const first = sendWithSenderLock({ pool, chain }, account.address, async (nonce) => {
      holding();
      await gate;
      return writer.sendTransaction({ account, chain: null, to: account.address, data: '0x', nonce });
    });
    await held;
    const queued = Array.from({ length: 5 }, (_, i) => relayer.send({ kind: 'test', ref: `turn-${i}`, to: account.address, data: '0x' }));
    await new Promise((r) => setImmediate(r));
    // Were the queued sends waiting on the advisory lock, 2 would hold the pool's other connections and 3
    // would be queued for one ahead of this query, which would then wait for the gate: it would never answer.
    assert.equal((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
    open();
    const hashes = [await first, ...(await Promise.all(queued)).map((t) => t.txHash)];
    const receipts = await Promise.all(hashes.map((hash) => chain.waitForTransactionReceipt({ hash })));
    assert.ok(receipts.every((r) => r.status === 'success'));
    const nonces = (await Promise.all(hashes.map((hash) => chain.getTransaction({ hash })))).map((t) => t.nonce);
    assert.deepEqual(nonces, Array.from({ length: 6 }, (_, i) => nonces[0]! + i), 'one after another, in the order they queued');
  });

  it("the lock is the relayer's: while a relayed send holds it, the other sender waits", async () => {
    const writer = createChainWriter(testServices().RPC_URL, KEY);
    const account = writer.account!;
    const held = await pools[0]!.connect();
    try {
      await held.query('BEGIN');
      await held.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`oneheart.relayer:${await chain.getChainId()}:${account.address.toLowerCase()}`]);
      let sent = false;
      const sending = sendWithSenderLock({ pool: pools[1]!, chain }, account.address, async (nonce) => {
        sent = true;
        return writer.sendTransaction({ account, chain: null, to: account.address, data: '0x', nonce });
      });
      // wait until the other sender is queued on the advisory lock
      while (!(await db.sql.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).rows[0]) await new Promise((r) => setTimeout(r, 20));
      assert.equal(sent, false, 'no nonce is chosen while another sender holds the lock');
      await held.query('COMMIT');
      const hash = await sending;
      assert.equal((await chain.waitForTransactionReceipt({ hash })).status, 'success');
    } finally {
      held.release();
    }
  });
});
