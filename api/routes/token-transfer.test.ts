import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { heartTokenAbi } from '../../lib/heart-token.ts';
import { claimRelayed, HEART, startEconomy, type Economy, type Session } from '../../test/helpers/economy.ts';
import { bearer, signIn, type TestApp } from '../testing.ts';

describe('relayed Heart transfers and claims from two API instances on the real chain', () => {
  let e: Economy;
  let players: Session[];
  before(async () => {
    e = await startEconomy({ instances: 2 });
    players = [];
    for (let i = 0; i < 6; i++) players.push(await e.player());
    await e.earnAndClose(players.map((p) => [p, 5n * HEART]));
  });
  after(async () => {
    await e.close();
  });

  const token = () => e.deployments.contracts.HeartToken!.address as Address;
  const balanceOf = (a: Address) => e.t.deps.chain.readContract({ address: token(), abi: heartTokenAbi, functionName: 'balanceOf', args: [a] });
  const relayed = async () => (await e.db.sql.query('SELECT count(*)::int AS n FROM relayer_transactions')).rows[0].n as number;

  /** The typed data from the API, signed by `signer` (the player unless a forger is given). */
  async function signedPermit(p: Session, amount: bigint, opts: { deadline?: number; signer?: Session; app?: TestApp } = {}) {
    const q = `amount=${amount}${opts.deadline ? `&deadline=${opts.deadline}` : ''}`;
    const res = await (opts.app ?? e.t).app.inject({ method: 'GET', url: `/api/token/transfer/permit?${q}`, headers: bearer(p.accessToken) });
    assert.equal(res.statusCode, 200, res.body);
    const t = res.json();
    const signature = await (opts.signer ?? p).wallet.signTypedData({
      domain: t.domain, types: t.types, primaryType: 'Permit',
      message: { ...t.message, value: BigInt(t.message.value), nonce: BigInt(t.message.nonce), deadline: BigInt(t.message.deadline) },
    });
    return { signature, deadline: Number(t.message.deadline), typed: t };
  }
  const transfer = (p: Session, body: Record<string, unknown>, app: TestApp = e.t) =>
    app.app.inject({ method: 'POST', url: '/api/token/transfer', headers: bearer(p.accessToken), payload: body });

  it('claims relayed by both instances at once use distinct, contiguous operator nonces', async () => {
    await Promise.all(players.map((p, i) => claimRelayed(e, p, e.apps[i % 2])));
    const rows = (await e.db.sql.query(`SELECT nonce, status FROM relayer_transactions WHERE kind = 'claim' ORDER BY nonce`)).rows;
    assert.equal(rows.length, 6);
    const nonces = rows.map((r) => r.nonce as number);
    assert.deepEqual(nonces, nonces.map((_, i) => nonces[0]! + i));
    for (const p of players) assert.equal(await balanceOf(p.address), 5n * HEART);
  });

  it('transfers with a permit: relayer pays the gas, idempotent per key, mirrored by the indexer', async () => {
    const [ana, bo] = players as [Session, Session];
    const { signature, deadline, typed } = await signedPermit(ana, 2n * HEART);
    assert.equal(typed.message.spender.toLowerCase(), privateKeyToAccount(e.operatorKey).address.toLowerCase());
    assert.equal(typed.domain.verifyingContract.toLowerCase(), token().toLowerCase());
    const body = { to: bo.address, amount: (2n * HEART).toString(), deadline, signature, idempotencyKey: 'transfer-ana-bo-1' };
    const ethBefore = await e.t.deps.chain.getBalance({ address: ana.wallet.address });

    const [x, y] = await Promise.all([transfer(ana, body, e.apps[0]), transfer(ana, body, e.apps[1])]);
    assert.equal(x.statusCode, 200, x.body);
    assert.equal(y.statusCode, 200, y.body);
    assert.equal(x.json().txHash, y.json().txHash, 'two instances, one transfer');
    const receipt = await e.t.deps.chain.waitForTransactionReceipt({ hash: x.json().txHash });
    assert.equal(receipt.status, 'success');
    assert.equal(receipt.from.toLowerCase(), privateKeyToAccount(e.operatorKey).address.toLowerCase());
    assert.equal(await balanceOf(ana.address), 3n * HEART);
    assert.equal(await balanceOf(bo.address), 7n * HEART);
    assert.equal(await e.t.deps.chain.getBalance({ address: ana.wallet.address }), ethBefore, 'the player spent no gas');

    const again = await transfer(ana, body);
    assert.deepEqual([again.statusCode, again.json().txHash, again.json().status, again.json().replayed], [200, x.json().txHash, 'confirmed', true]);
    assert.equal(await balanceOf(bo.address), 7n * HEART, 'a replay moves nothing');
    const reused = await transfer(ana, { ...body, amount: HEART.toString() });
    assert.deepEqual([reused.statusCode, reused.json().error.code], [409, 'IDEMPOTENCY_KEY_REUSED']);

    await e.sync();
    const mirrored = (await e.db.sql.query('SELECT address, balance::text FROM token_balances WHERE address = ANY($1) ORDER BY balance', [[ana.address, bo.address]])).rows;
    assert.deepEqual(mirrored, [{ address: ana.address, balance: (3n * HEART).toString() }, { address: bo.address, balance: (7n * HEART).toString() }]);
    const history = await e.t.app.inject({ method: 'GET', url: '/api/token/history', headers: bearer(bo.accessToken) });
    assert.ok(history.json().events.some((ev: { txHash: Hex; event: string }) => ev.txHash === x.json().txHash && ev.event === 'Transfer'));
  });

  it('transfers from both instances at once all land', async () => {
    const senders = players.slice(2);
    const bodies = await Promise.all(senders.map(async (p, i) => {
      const { signature, deadline } = await signedPermit(p, HEART);
      return { to: players[(i + 3) % 6]!.address, amount: HEART.toString(), deadline, signature, idempotencyKey: `parallel-${i}-key` };
    }));
    const res = await Promise.all(senders.map((p, i) => transfer(p, bodies[i]!, e.apps[i % 2])));
    assert.deepEqual(res.map((r) => r.statusCode), senders.map(() => 200), res.map((r) => r.body).join('\n'));
    const receipts = await Promise.all(res.map((r) => e.t.deps.chain.waitForTransactionReceipt({ hash: r.json().txHash })));
    assert.ok(receipts.every((r) => r.status === 'success'));
    const { rows } = await e.db.sql.query('SELECT count(*)::int AS n, count(DISTINCT nonce)::int AS nonces FROM relayer_transactions');
    assert.equal(rows[0].n, rows[0].nonces, 'no nonce was used twice');
  });

  it('refuses the anonymous, non-players and bad permits, sending nothing', async () => {
    const [, , , , eve, zed] = players as Session[];
    const { signature, deadline } = await signedPermit(eve!, HEART);
    const body = { to: zed!.address, amount: HEART.toString(), deadline, signature, idempotencyKey: 'refused-transfer-1' };
    assert.equal((await e.t.app.inject({ method: 'POST', url: '/api/token/transfer', payload: body })).statusCode, 401);
    assert.equal((await e.t.app.inject({ method: 'GET', url: '/api/token/transfer/permit?amount=1' })).statusCode, 401);
    for (const q of ['amount=0', 'amount=abc', 'amount=1&deadline=-5', 'amount=1&spender=0x00', '']) {
      assert.equal((await e.t.app.inject({ method: 'GET', url: `/api/token/transfer/permit?${q}`, headers: bearer(eve!.accessToken) })).statusCode, 400, q);
    }
    const w = (await e.player()).wallet;
    await e.db.sql.query(`UPDATE players SET role = 'sponsor' WHERE address = $1`, [w.address.toLowerCase()]);
    const sponsor = await signIn(e.t, w);
    assert.equal((await e.t.app.inject({ method: 'POST', url: '/api/token/transfer', headers: bearer(sponsor.accessToken), payload: body })).statusCode, 403);

    const sent = await relayed();
    const heldBefore = await balanceOf(eve!.address);
    for (const bad of [{ ...body, to: '0x1234' }, { ...body, amount: '0' }, { ...body, amount: '-1' }, { ...body, signature: '0xabcd' }, { ...body, deadline: 'soon' }, { ...body, extra: true }]) {
      const res = await transfer(eve!, bad);
      assert.equal(res.statusCode, 400, JSON.stringify(bad));
      assert.equal(res.json().error.code, 'VALIDATION_FAILED');
    }
    const cases: [Record<string, unknown>, number, string][] = [
      [{ ...body, to: eve!.address }, 400, 'BAD_RECIPIENT'],
      [{ ...body, to: `0x${'0'.repeat(40)}` }, 400, 'BAD_RECIPIENT'],
      [{ ...body, signature: (await signedPermit(eve!, HEART, { signer: zed })).signature }, 400, 'INVALID_PERMIT'],
      [{ ...body, amount: (2n * HEART).toString() }, 400, 'INVALID_PERMIT'],
      [{ ...body, ...(await signedPermit(eve!, HEART, { deadline: Math.floor(Date.now() / 1000) - 5 })) }, 400, 'PERMIT_EXPIRED'],
      [{ ...body, amount: (100n * HEART).toString(), ...(await signedPermit(eve!, 100n * HEART)) }, 409, 'INSUFFICIENT_BALANCE'],
    ];
    for (const [bad, code, error] of cases) {
      const { typed: _typed, ...payload } = bad as Record<string, unknown> & { typed?: unknown };
      const res = await transfer(eve!, payload);
      assert.deepEqual([res.statusCode, res.json().error.code], [code, error], JSON.stringify(payload));
    }
    assert.equal(await relayed(), sent, 'nothing was relayed');
    assert.equal(await balanceOf(eve!.address), heldBefore);
    assert.equal((await e.db.sql.query(`SELECT count(*)::int AS n FROM token_transfers WHERE player_id = $1`, [eve!.player.id])).rows[0].n, 1, 'only the earlier parallel transfer');
  });
});
