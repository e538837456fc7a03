// End to end on the real chain: earn (the impact engine consumes apply-impact jobs and writes ledger
// entries) → epoch close (export + anchor) → relayed claim → indexer → balance → redeem (the player's
// own redeem and the gasless permit + redeemFrom) → indexer → fulfilled.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue, QueueEvents } from 'bullmq';
import { createWalletClient, http, type Hex } from 'viem';
import { startImpactWorker, type ImpactWorker } from '../../api/impact/worker.ts';
import { bearer } from '../../api/testing.ts';
import { testServices } from '../../lib/config.ts';
import { IMPACT_JOB, IMPACT_QUEUE, jobOptions, type ImpactJobData } from '../../lib/queues.ts';
import { createRedis } from '../../lib/redis.ts';
import { HEART, startEconomy, type Economy, type Session } from '../helpers/economy.ts';

// Hardhat dev account #12 (standard mnemonic; public): this file's deployer, anchorer and relayer.
const KEY_12: Hex = '0xa267530f49f8280200edf313ee7af6b827f2a8bce2897751d06a843f644967b1';

describe('the Heart economy end to end: earn → epoch → claim → balance → redeem → fulfilled', () => {
  let e: Economy;
  let worker: ImpactWorker;
  let queue: Queue<ImpactJobData>;
  let events: QueueEvents;
  let ana: Session;
  let bo: Session;
  const redis = createRedis(testServices().REDIS_URL, { forWorkers: true });
  const eventsRedis = createRedis(testServices().REDIS_URL, { forWorkers: true });
  const prefix = `t-${randomBytes(4).toString('hex')}`;

  before(async () => {
    e = await startEconomy({ operatorKey: KEY_12, env: { VERIFIER_QUEUE_PREFIX: prefix } });
    worker = startImpactWorker(e.t.deps, { concurrency: 2 });
    queue = new Queue(IMPACT_QUEUE, { connection: redis, prefix });
    events = new QueueEvents(IMPACT_QUEUE, { connection: eventsRedis, prefix });
    await events.waitUntilReady();
    ana = await e.player();
    bo = await e.player();
  });
  after(async () => {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await Promise.all([redis.quit(), eventsRedis.quit()]);
    await e.close();
  });
  const get = (p: Session, url: string) => e.t.app.inject({ method: 'GET', url, headers: bearer(p.accessToken) });
  const post = (p: Session, url: string, payload?: Record<string, unknown>) => e.t.app.inject({ method: 'POST', url, headers: bearer(p.accessToken), ...(payload ? { payload } : {}) });

  /** An approved action of `p` (what the verifier leaves behind), handed to the impact engine on its queue. */
  async function approvedDeed(p: Session, mission: string): Promise<string> {
    const id = randomUUID();
    const sql = e.db.sql;
    await sql.query(`INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at) VALUES ($1, $2, $3, $4, 0, 0, 5, now())`, [id, p.player.id, mission, `k-${id}`]);
    await sql.query(`INSERT INTO evidence (id, action_id, object_key, sha256, media_type, size_bytes, salt) VALUES (gen_random_uuid(), $1, $2, $3, 'image/jpeg', 10, $4)`,
      [id, `proofs/${p.player.id}/${id}/media`, randomBytes(32).toString('hex'), randomBytes(32)]);
    await sql.query(`INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision) VALUES (gen_random_uuid(), $1, 92, 0.9, '{}', 'test-verifier-1', 'approve')`, [id]);
    const job = await queue.add(IMPACT_JOB, { actionId: id }, jobOptions(id, 1, 0));
    await job.waitUntilFinished(events);
    return id;
  }

  it('walks a deed to a fulfilled reward', async () => {
    // earn: three deeds for ana, one for bo, through the impact engine
    const zone = (await e.db.sql.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES (gen_random_uuid(), 'Mombasa beach', 'KE', 0, 0, 500) RETURNING id`)).rows[0].id;
    const mission = (await e.db.sql.query(
      `INSERT INTO missions (id, zone_id, title, description, type, base_xp, base_heart, duration_minutes, latitude, longitude)
       VALUES (gen_random_uuid(), $1, 'Beach cleanup', 'd', 'cleanup', 100, $2, 60, 0, 0) RETURNING id`, [zone, (5n * HEART).toString()])).rows[0].id;
    for (const p of [ana, ana, ana, bo]) await approvedDeed(p, mission);
    const earned = BigInt((await e.db.sql.query(`SELECT coalesce(sum(heart), 0)::text AS h FROM ledger_entries WHERE player_address = $1`, [ana.address])).rows[0].h);
    assert.ok(earned > 0n, 'the engine wrote ana Heart on the ledger');
    assert.equal((await e.db.sql.query('SELECT count(*)::int AS n FROM ledger_entries')).rows[0].n, 4);

    // epoch close: export + anchor; the claim appears with a proof
    assert.equal((await get(ana, '/api/token/claim')).statusCode, 404);
    const closed = await e.closeMonth();
    assert.equal(closed.status, 'anchored');
    const claim = (await get(ana, '/api/token/claim')).json();
    assert.deepEqual([claim.epoch, claim.cumulativeAmount, claim.claimable], [closed.epoch, earned.toString(), earned.toString()]);

    // claim relayed by the platform (ana spends no gas), then the indexer mirrors it
    const relayed = await post(ana, '/api/token/claim');
    assert.equal(relayed.statusCode, 200, relayed.body);
    assert.equal((await e.t.deps.chain.waitForTransactionReceipt({ hash: relayed.json().txHash })).status, 'success');
    const pending = (await get(ana, '/api/token/balance')).json();
    assert.deepEqual([pending.balance, pending.pending], ['0', earned.toString()]);
    await e.sync();
    const balance = (await get(ana, '/api/token/balance')).json();
    assert.deepEqual([balance.balance, balance.pending], [earned.toString(), '0']);

    // the marketplace: a reward at a fifth of what ana holds, stock 5
    const price = earned / 5n;
    const reward = (await e.db.sql.query(
      `INSERT INTO rewards (id, title, description, partner, cost_heart, stock) VALUES (gen_random_uuid(), 'Bus pass', 'One week', 'City transit', $1, 5) RETURNING id`, [price.toString()])).rows[0].id;
    const listed = (await get(ana, '/api/reward/marketplace')).json().rewards;
    assert.deepEqual(listed.map((r: { id: string; stock: number }) => [r.id, r.stock]), [[reward, 5]]);

    // redeem twice: once paid by ana's own transaction, once gasless through the relayer
    const own = await post(ana, '/api/reward/redeem', { rewardId: reward, quantity: 2, idempotencyKey: 'e2e-own-redeem' });
    assert.equal(own.statusCode, 201, own.body);
    const wallet = createWalletClient({ account: ana.wallet, transport: http(testServices().RPC_URL) });
    const burn = await wallet.sendTransaction({ account: ana.wallet, chain: null, to: own.json().tx.to, data: own.json().tx.data });
    assert.equal((await e.t.deps.chain.waitForTransactionReceipt({ hash: burn })).status, 'success');

    const gasless = (await post(ana, '/api/reward/redeem', { rewardId: reward, quantity: 1, idempotencyKey: 'e2e-gasless-redeem' })).json();
    const t = gasless.permit;
    const signature = await ana.wallet.signTypedData({
      domain: t.domain, types: t.types, primaryType: 'Permit',
      message: { ...t.message, value: BigInt(t.message.value), nonce: BigInt(t.message.nonce), deadline: BigInt(t.message.deadline) },
    });
    const relay = await post(ana, `/api/reward/redeem/${gasless.redemptionId}/relay`, { signature });
    assert.equal(relay.statusCode, 200, relay.body);
    assert.equal((await e.t.deps.chain.waitForTransactionReceipt({ hash: relay.json().txHash })).status, 'success');
    assert.equal((await get(ana, `/api/reward/redeem/${own.json().redemptionId}`)).json().status, 'reserved');

    // the indexer sees both Redeemed events: both fulfilled, stock 2 left, balance down by 3 prices
    await e.sync();
    const a = (await get(ana, `/api/reward/redeem/${own.json().redemptionId}`)).json();
    const b = (await get(ana, `/api/reward/redeem/${gasless.redemptionId}`)).json();
    assert.deepEqual([a.status, a.burnTxHash, b.status, b.burnTxHash], ['fulfilled', burn, 'fulfilled', relay.json().txHash]);
    const fulfilledNotes = (await get(ana, '/api/notification/list')).json().notifications.filter((n: { kind: string }) => n.kind === 'reward_fulfilled');
    assert.deepEqual(fulfilledNotes.map((n: { data: { redemptionId: string } }) => n.data.redemptionId).sort(), [own.json().redemptionId, gasless.redemptionId].sort());
    assert.equal((await get(ana, '/api/reward/marketplace')).json().rewards[0].stock, 2);
    const after = (await get(ana, '/api/token/balance')).json();
    assert.equal(after.balance, (earned - 3n * price).toString());
    const operatorTxs = (await e.db.sql.query('SELECT kind FROM relayer_transactions ORDER BY nonce')).rows.map((r) => r.kind);
    assert.deepEqual(operatorTxs, ['claim', 'permit', 'redeem'], 'everything the relayer sent, in nonce order');
  });
});
