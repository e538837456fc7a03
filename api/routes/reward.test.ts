import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createWalletClient, decodeFunctionData, encodeFunctionData, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { heartTokenAbi } from '../../lib/heart-token.ts';
import { testServices } from '../../lib/config.ts';
import { claimRelayed, HEART, startEconomy, type Economy, type Session } from '../../test/helpers/economy.ts';
import { startMarketSweeper } from '../rewards/sweeper.ts';
import { bearer, signIn } from '../testing.ts';

describe('marketplace on the real chain', () => {
  let e: Economy;
  let buyer: Session;
  let crowd: Session[];
  let holder: Session;
  before(async () => {
    e = await startEconomy();
    buyer = await e.player();
    crowd = await Promise.all([0, 1, 2, 3, 4].map(() => e.player()));
    holder = await e.player();
    await e.earnAndClose([[buyer, 20n * HEART], ...crowd.map((p): [Session, bigint] => [p, 10n * HEART]), [holder, 5n * HEART]]);
    await Promise.all([buyer, ...crowd, holder].map((p) => claimRelayed(e, p)));
  });
  after(async () => {
    await e.close();
  });

  const addReward = async (stock: number, price = HEART) =>
    (await e.db.sql.query(
      `INSERT INTO rewards (id, title, description, partner, cost_heart, stock) VALUES (gen_random_uuid(), $1, 'd', 'Partner Co', $2, $3) RETURNING id`,
      [`reward ${randomUUID().slice(0, 6)}`, price.toString(), stock])).rows[0].id as string;
  const stockOf = async (id: string) => (await e.db.sql.query('SELECT stock FROM rewards WHERE id = $1', [id])).rows[0].stock as number;
  const redeem = (p: Session, payload: Record<string, unknown>) =>
    e.t.app.inject({ method: 'POST', url: '/api/reward/redeem', headers: bearer(p.accessToken), payload });
  const status = async (p: Session, id: string) => {
    const res = await e.t.app.inject({ method: 'GET', url: `/api/reward/redeem/${id}`, headers: bearer(p.accessToken) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };
  /** The player signs and sends the ready-to-sign transaction themselves. */
  async function pay(p: Session, tx: { to: Hex; data: Hex }): Promise<Hex> {
    const w = createWalletClient({ account: p.wallet, transport: http(testServices().RPC_URL) });
    const hash = await w.sendTransaction({ account: p.wallet, chain: null, to: tx.to, data: tx.data });
    assert.equal((await e.t.deps.chain.waitForTransactionReceipt({ hash })).status, 'success');
    return hash;
  }

  it('catalog: signed-in callers only, live stock, partner and price', async () => {
    const id = await addReward(7, 3n * HEART);
    assert.equal((await e.t.app.inject({ method: 'GET', url: '/api/reward/marketplace' })).statusCode, 401);
    const res = await e.t.app.inject({ method: 'GET', url: '/api/reward/marketplace', headers: bearer(buyer.accessToken) });
    assert.equal(res.statusCode, 200, res.body);
    const item = res.json().rewards.find((r: { id: string }) => r.id === id);
    assert.deepEqual(item, { id, title: item.title, description: 'd', partner: 'Partner Co', priceHeart: (3n * HEART).toString(), stock: 7 });
  });

  it('refuses the anonymous, non-players, bad input and players without the Heart, without touching stock', async () => {
    const id = await addReward(5);
    const body = { rewardId: id, quantity: 1, idempotencyKey: 'refusals-0001' };
    assert.equal((await e.t.app.inject({ method: 'POST', url: '/api/reward/redeem', payload: body })).statusCode, 401);
    const w = (await e.player()).wallet;
    await e.db.sql.query(`UPDATE players SET role = 'admin' WHERE address = $1`, [w.address.toLowerCase()]);
    const admin = await signIn(e.t, w);
    assert.equal((await e.t.app.inject({ method: 'POST', url: '/api/reward/redeem', headers: bearer(admin.accessToken), payload: body })).statusCode, 403);
    for (const bad of [{ ...body, quantity: 0 }, { ...body, quantity: 1.5 }, { ...body, rewardId: 'nope' }, { rewardId: id, quantity: 1 }, { ...body, idempotencyKey: 'x' }, { ...body, extra: 1 }]) {
      const res = await redeem(buyer, bad);
      assert.equal(res.statusCode, 400, JSON.stringify(bad));
      assert.equal(res.json().error.code, 'VALIDATION_FAILED');
    }
    const missing = await redeem(buyer, { ...body, rewardId: randomUUID() });
    assert.deepEqual([missing.statusCode, missing.json().error.code], [404, 'NOT_FOUND']);
    const tooMany = await redeem(buyer, { ...body, quantity: 6 });
    assert.deepEqual([tooMany.statusCode, tooMany.json().error.code], [409, 'OUT_OF_STOCK']);
    assert.equal(await stockOf(id), 5);
    assert.equal((await e.db.sql.query('SELECT count(*)::int AS n FROM redemptions WHERE reward_id = $1', [id])).rows[0].n, 0);
    const broke = await redeem(await e.player(), body);
    assert.deepEqual([broke.statusCode, broke.json().error.code, broke.json().error.details.balance], [409, 'INSUFFICIENT_HEART', '0']);
    assert.equal((await e.t.app.inject({ method: 'GET', url: `/api/reward/redeem/0x${'ab'.repeat(32)}` })).statusCode, 401);
    const other = await e.t.app.inject({ method: 'GET', url: `/api/reward/redeem/0x${'ab'.repeat(32)}`, headers: bearer(buyer.accessToken) });
    assert.equal(other.statusCode, 404);
    assert.equal((await e.t.app.inject({ method: 'GET', url: '/api/reward/redeem/0x12', headers: bearer(buyer.accessToken) })).statusCode, 400);
  });

  it('50 concurrent redemptions of stock 10: exactly 10 reserve, stock ends at 0; keys are idempotent', async () => {
    const id = await addReward(10);
    const players = crowd;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => redeem(players[i % 5]!, { rewardId: id, quantity: 1, idempotencyKey: `burst-${i}-key` })));
    const codes = results.map((r) => r.statusCode);
    assert.equal(codes.filter((c) => c === 201).length, 10, codes.join(','));
    assert.equal(codes.filter((c) => c === 409).length, 40);
    assert.ok(results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'OUT_OF_STOCK'));
    assert.equal(await stockOf(id), 0);
    const rows = (await e.db.sql.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM redemptions WHERE reward_id = $1 AND status = 'reserved'`, [id])).rows[0];
    assert.deepEqual(rows, { n: 10, ids: 10 });

    // the same key again: the same reservation, no stock taken; the key for something else: 409
    const i = codes.indexOf(201);
    const first = results[i]!.json();
    const again = await redeem(players[i % 5]!, { rewardId: id, quantity: 1, idempotencyKey: `burst-${i}-key` });
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual([again.json().redemptionId, again.json().replayed], [first.redemptionId, true]);
    const reused = await redeem(players[i % 5]!, { rewardId: id, quantity: 2, idempotencyKey: `burst-${i}-key` });
    assert.deepEqual([reused.statusCode, reused.json().error.code], [409, 'IDEMPOTENCY_KEY_REUSED']);
    assert.equal(await stockOf(id), 0);
  });

  it('open reservations may not exceed the Heart a player holds; expired ones stop counting', async () => {
    const id = await addReward(10, 2n * HEART);
    const p = crowd[4]!;
    const held = await e.t.deps.chain.readContract({ address: e.deployments.contracts.HeartToken!.address as Hex, abi: heartTokenAbi, functionName: 'balanceOf', args: [p.address] });
    const open = BigInt((await e.db.sql.query(`SELECT coalesce(sum(amount), 0)::text AS s FROM redemptions r JOIN players pl ON pl.id = r.player_id WHERE pl.address = $1 AND status = 'reserved'`, [p.address])).rows[0].s);
    const fits = Number((held - open) / (2n * HEART));
    const made = [];
    for (let i = 0; i < fits; i++) made.push(await redeem(p, { rewardId: id, quantity: 1, idempotencyKey: `hoard-${i}-key` }));
    assert.ok(made.every((r) => r.statusCode === 201));
    const over = await redeem(p, { rewardId: id, quantity: 1, idempotencyKey: 'hoard-over-key' });
    assert.deepEqual([over.statusCode, over.json().error.code], [409, 'INSUFFICIENT_HEART']);
    assert.equal(await stockOf(id), 10 - fits);
    await e.db.sql.query(`UPDATE redemptions SET expires_at = now() - interval '1 second' WHERE id = $1`, [made[0]!.json().redemptionId]);
    assert.equal((await redeem(p, { rewardId: id, quantity: 1, idempotencyKey: 'hoard-after-expiry' })).statusCode, 201);
  });

  it('unpaid reservations expire and release their stock (sweeper, and inline when stock runs out)', async () => {
    const id = await addReward(4);
    const p = holder;
    const made = await Promise.all([1, 2, 3].map((n) => redeem(p, { rewardId: id, quantity: 1, idempotencyKey: `expiry-${n}-key` })));
    assert.deepEqual(made.map((r) => r.statusCode), [201, 201, 201]);
    assert.equal(await stockOf(id), 1);
    const ids = made.map((r) => r.json().redemptionId as string);
    const sweeper = startMarketSweeper(e.t.deps, (err) => assert.fail(String(err)));
    try {
      await sweeper.sweep(); // what earlier tests left due
      await e.db.sql.query(`UPDATE redemptions SET expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [ids.slice(0, 2)]);
      const [a, b] = await Promise.all([sweeper.sweep(), sweeper.sweep()]);
      assert.equal(a.released + b.released, 2, 'two concurrent sweeps release each reservation once');
      assert.equal((await sweeper.sweep()).released, 0);
    } finally {
      await sweeper.close();
    }
    assert.equal(await stockOf(id), 3);
    assert.deepEqual([(await status(p, ids[0]!)).status, (await status(p, ids[2]!)).status], ['expired', 'reserved']);

    // stock 1 left by a due reservation: the next redeem expires it inline and succeeds
    const single = await addReward(1);
    const r1 = await redeem(p, { rewardId: single, quantity: 1, idempotencyKey: 'inline-1-key' });
    await e.db.sql.query(`UPDATE redemptions SET expires_at = now() - interval '1 second' WHERE id = $1`, [r1.json().redemptionId]);
    const r2 = await redeem(buyer, { rewardId: single, quantity: 1, idempotencyKey: 'inline-2-key' });
    assert.equal(r2.statusCode, 201, r2.body);
    assert.equal(await stockOf(single), 0);
    assert.equal((await status(p, r1.json().redemptionId)).status, 'expired');
  });

  it('a Redeemed burn fulfils exactly once; a late or short burn is recorded and flagged, never fulfilled', async () => {
    const id = await addReward(5, 2n * HEART);

    const res = await redeem(buyer, { rewardId: id, quantity: 2, idempotencyKey: 'pay-on-time-1' });
    assert.equal(res.statusCode, 201, res.body);
    const r = res.json();
    assert.equal(r.amount, (4n * HEART).toString());
    assert.match(r.redemptionId, /^0x[0-9a-f]{64}$/);
    assert.ok(new Date(r.expiresAt).getTime() > Date.now());
    assert.equal(r.tx.to.toLowerCase(), e.deployments.contracts.HeartToken!.address.toLowerCase());
    assert.deepEqual(decodeFunctionData({ abi: heartTokenAbi, data: r.tx.data }).args, [4n * HEART, r.redemptionId]);
    const burn = await pay(buyer, r.tx);
    assert.equal((await status(buyer, r.redemptionId)).status, 'reserved', 'not fulfilled before the indexer sees it');
    await e.sync();
    const done = await status(buyer, r.redemptionId);
    assert.deepEqual([done.status, done.burnTxHash, done.paymentFlag], ['fulfilled', burn, null]);
    assert.ok(done.fulfilledAt);
    await e.sync();
    assert.equal((await status(buyer, r.redemptionId)).fulfilledAt, done.fulfilledAt, 'indexing again changes nothing');
    assert.equal(await stockOf(id), 3);

    // paid after it expired: recorded and flagged, stock not taken again
    const late = (await redeem(buyer, { rewardId: id, quantity: 1, idempotencyKey: 'pay-too-late' })).json();
    await e.db.sql.query(`UPDATE redemptions SET expires_at = now() - interval '1 second' WHERE id = $1`, [late.redemptionId]);
    const sweeper = startMarketSweeper(e.t.deps, (err) => assert.fail(String(err)));
    await sweeper.sweep();
    await sweeper.close();
    assert.equal(await stockOf(id), 3);
    const lateBurn = await pay(buyer, late.tx);
    // paid too little: a hand-made burn of 1 wei under the same id
    const short = (await redeem(buyer, { rewardId: id, quantity: 1, idempotencyKey: 'pay-too-little' })).json();
    await pay(buyer, { to: short.tx.to, data: encodeFunctionData({ abi: heartTokenAbi, functionName: 'redeem', args: [1n, short.redemptionId] }) });
    await e.sync();
    const l = await status(buyer, late.redemptionId);
    assert.deepEqual([l.status, l.paymentFlag, l.burnTxHash, l.fulfilledAt], ['expired', 'after_expiry', lateBurn, null]);
    const s = await status(buyer, short.redemptionId);
    assert.deepEqual([s.status, s.paymentFlag], ['reserved', 'underpaid']);
    assert.equal(await stockOf(id), 2);
    const mirrored = (await e.db.sql.query('SELECT count(*)::int AS n FROM chain_redemptions')).rows[0].n;
    assert.equal(mirrored, 3);
  });

  it('a reorg that drops the mirrored burn un-fulfils; the burn mined again fulfils again', async () => {
    const id = await addReward(2);
    const r = (await redeem(buyer, { rewardId: id, quantity: 1, idempotencyKey: 'reorged-burn-1' })).json();
    const chainId = await e.t.deps.chain.getChainId();
    const mirror = (tx: string, block: number) => e.db.sql.query(
      `INSERT INTO chain_redemptions (chain_id, redemption_id, account, amount, tx_hash, block_number, block_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [chainId, r.redemptionId, buyer.address, r.amount, tx, block, `0x${'cd'.repeat(32)}`]);
    await mirror(`0x${'a1'.repeat(32)}`, 1_000_000);
    assert.equal((await status(buyer, r.redemptionId)).status, 'fulfilled');
    await e.db.sql.query('DELETE FROM chain_redemptions WHERE redemption_id = $1', [r.redemptionId]);
    const undone = await status(buyer, r.redemptionId);
    assert.deepEqual([undone.status, undone.burnTxHash, undone.fulfilledAt], ['reserved', null, null]);
    assert.equal(await stockOf(id), 1, 'still held by the reservation');
    await mirror(`0x${'b2'.repeat(32)}`, 1_000_001);
    assert.deepEqual([(await status(buyer, r.redemptionId)).status, (await status(buyer, r.redemptionId)).burnTxHash], ['fulfilled', `0x${'b2'.repeat(32)}`]);
    await e.db.sql.query('DELETE FROM chain_redemptions WHERE redemption_id = $1', [r.redemptionId]);
  });

  it('gasless: the relayer submits the signed permit and redeemFrom; idempotent; bad permits and unpayable redemptions are refused', async () => {
    const id = await addReward(3, 2n * HEART);
    const r = (await redeem(buyer, { rewardId: id, quantity: 1, idempotencyKey: 'relayed-redeem-1' })).json();
    assert.equal(r.permit.message.spender.toLowerCase(), privateKeyToAccount(e.operatorKey).address.toLowerCase());
    assert.deepEqual([r.permit.message.owner, r.permit.message.value, r.permit.message.deadline], [buyer.address, r.amount, String(Math.floor(Date.parse(r.expiresAt) / 1000))]);
    const sign = (wallet: Session['wallet'], permit = r.permit) => wallet.signTypedData({
      domain: permit.domain, types: permit.types, primaryType: 'Permit',
      message: { ...permit.message, value: BigInt(permit.message.value), nonce: BigInt(permit.message.nonce), deadline: BigInt(permit.message.deadline) },
    });
    const relay = (p: Session | null, body: Record<string, unknown>, rid = r.redemptionId) =>
      e.t.app.inject({ method: 'POST', url: `/api/reward/redeem/${rid}/relay`, headers: p ? bearer(p.accessToken) : {}, payload: body });
    const signature = await sign(buyer.wallet);
    assert.equal((await relay(null, { signature })).statusCode, 401);
    assert.equal((await relay(buyer, { signature: '0x1234' })).statusCode, 400);
    const forged = await relay(buyer, { signature: await sign((await e.player()).wallet) });
    assert.deepEqual([forged.statusCode, forged.json().error.code], [400, 'INVALID_PERMIT']);
    assert.equal((await relay(await e.player(), { signature })).statusCode, 404, "another player's redemption");
    assert.equal((await e.db.sql.query(`SELECT count(*)::int AS n FROM relayer_transactions WHERE ref = $1`, [r.redemptionId])).rows[0].n, 0, 'nothing sent');

    const [a, b] = await Promise.all([relay(buyer, { signature }), relay(buyer, { signature })]);
    assert.equal(a.statusCode, 200, a.body);
    assert.equal(b.statusCode, 200, b.body);
    assert.equal(a.json().txHash, b.json().txHash, 'one redeemFrom for two concurrent requests');
    const receipt = await e.t.deps.chain.waitForTransactionReceipt({ hash: a.json().txHash });
    assert.equal(receipt.status, 'success');
    await e.sync();
    const done = await status(buyer, r.redemptionId);
    assert.deepEqual([done.status, done.burnTxHash], ['fulfilled', a.json().txHash]);
    const account = (await e.db.sql.query('SELECT account FROM chain_redemptions WHERE redemption_id = $1', [r.redemptionId])).rows[0].account;
    assert.equal(account, buyer.address, 'Redeemed names the player, not the relayer');
    const again = await relay(buyer, { signature });
    assert.deepEqual([again.statusCode, again.json().txHash, again.json().status], [200, a.json().txHash, 'confirmed']);

    const stale = (await redeem(buyer, { rewardId: id, quantity: 1, idempotencyKey: 'relayed-redeem-2' })).json();
    await e.db.sql.query(`UPDATE redemptions SET expires_at = now() - interval '1 second' WHERE id = $1`, [stale.redemptionId]);
    const refused = await relay(buyer, { signature: await sign(buyer.wallet, stale.permit) }, stale.redemptionId);
    assert.deepEqual([refused.statusCode, refused.json().error.code], [409, 'REDEMPTION_NOT_PAYABLE']);
  });
});
