import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { decodeFunctionData, parseEther, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { verifyClaim } from '../../ledger/index.ts';
import { Indexer } from '../../indexer/sync.ts';
import { createChainWriter, loadDeployments } from '../../lib/chain.ts';
import { testServices } from '../../lib/config.ts';
import { appendEntry } from '../../lib/ledger-store.ts';
import { rewardDistributorAbi } from '../../lib/reward-distributor.ts';
import { closeEpoch } from '../../scripts/epoch-close.ts';
import { deployOneHeart } from '../../scripts/deploy.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { entryInput, seedActions } from '../../test/ledger/seed.ts';
import { bearer, signIn, testApp, type TestApp } from '../testing.ts';

describe('Heart token API on the real chain', () => {
  // A fresh operator (deployer, anchorer and relayer) funded by the dev node, so no dev account's nonce is shared with other files.
  const KEY: Hex = generatePrivateKey();
  const operator = privateKeyToAccount(KEY).address;
  let db: TestDatabase;
  let t: TestApp;
  let pool: pg.Pool;
  let outDir: string;
  let player: Awaited<ReturnType<typeof signIn>>;
  let address: Address;

  before(async () => {
    const s = testServices();
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    outDir = await mkdtemp(path.join(os.tmpdir(), 'oh-token-api-'));
    t = await testApp(db.url, { S3_BUCKET: `token-api-${randomBytes(5).toString('hex')}`, DEPLOYMENTS_DIR: outDir, OPERATOR_PRIVATE_KEY: KEY });
    await t.deps.chain.request({ method: 'hardhat_setBalance', params: [operator, `0x${parseEther('100').toString(16)}`] } as never);
    await deployOneHeart({ rpcUrl: s.RPC_URL, deployerPrivateKey: KEY, outDir });
    await t.deps.storage.ensureBucket();
    player = await signIn(t);
    address = player.player.address.toLowerCase() as Address;
  });
  after(async () => {
    await pool.end();
    await t.close();
    await db.drop();
    await rm(outDir, { recursive: true, force: true });
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer(player.accessToken) });
  const post = (url: string) => t.app.inject({ method: 'POST', url, headers: bearer(player.accessToken) });

  /** Ledger entries earned by the signed-in player (and 1 Heart for someone else, so the claim tree has two leaves). */
  async function earn(hearts: bigint[]) {
    const other = await seedActions(db.sql, 1, 'c3');
    const ids = [];
    for (const _ of hearts) {
      const id = randomUUID();
      await db.sql.query(
        `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at)
         VALUES ($1, $2, $3, $4, 0, 0, 5, now())`, [id, player.player.id, other.mission, `k-${id}`]);
      ids.push(id);
    }
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      for (const [i, id] of ids.entries()) await appendEntry(c, entryInput(id, other.mission, address, hearts[i]));
      await appendEntry(c, entryInput(other.actions[0]!, other.mission, other.address, 10n ** 18n));
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  }

  it('earn → close epoch → GET claim → relayed POST claim (idempotent) → indexer → balance and history', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/token/claim' })).statusCode, 401);
    await earn([2n * 10n ** 18n, 5n * 10n ** 17n]);
    const expected = 25n * 10n ** 17n;
    const noClaim = await get('/api/token/claim');
    assert.equal(noClaim.statusCode, 404, noClaim.body);
    assert.equal(noClaim.json().error.code, 'NO_CLAIM');

    const month = new Date().toISOString().slice(0, 7);
    const [y, m] = month.split('-').map(Number) as [number, number];
    const s = testServices();
    const deployments = await loadDeployments(outDir, await t.deps.chain.getChainId());
    assert.ok(deployments);
    const closed = await closeEpoch({
      pool, storage: t.deps.storage, reader: t.deps.chain, writer: createChainWriter(s.RPC_URL, KEY),
      anchor: deployments.contracts.LedgerAnchor!.address as Address, month, now: new Date(Date.UTC(y, m, 2)),
    });
    const rewardsRoot = (await db.sql.query('SELECT rewards_root FROM epochs WHERE epoch = $1', [closed.epoch])).rows[0].rewards_root as Buffer;

    const res = await get('/api/token/claim');
    assert.equal(res.statusCode, 200, res.body);
    const claim = res.json();
    assert.equal(claim.address, address);
    assert.equal(claim.epoch, closed.epoch);
    assert.equal(claim.cumulativeAmount, expected.toString());
    assert.equal(claim.claimed, '0');
    assert.equal(claim.claimable, expected.toString());
    assert.equal(claim.to.toLowerCase(), deployments.contracts.RewardDistributor!.address.toLowerCase());
    assert.equal(claim.relay, null);
    assert.ok(claim.proof.length > 0);
    assert.ok(verifyClaim(new Uint8Array(rewardsRoot), address, expected, claim.proof), 'proof leads to the anchored rewards root');
    const call = decodeFunctionData({ abi: rewardDistributorAbi, data: claim.calldata });
    assert.equal(call.functionName, 'claim');
    assert.deepEqual(call.args.slice(1), [expected, BigInt(closed.epoch), claim.proof]);
    assert.equal((call.args[0] as string).toLowerCase(), address);
    // the calldata is valid: simulating it from the player's own address succeeds
    await t.deps.chain.call({ account: address, to: claim.to, data: claim.calldata });

    // two concurrent relays → one transaction
    const [a, b] = await Promise.all([post('/api/token/claim'), post('/api/token/claim')]);
    assert.equal(a.statusCode, 200, a.body);
    assert.equal(b.statusCode, 200, b.body);
    const txHash = a.json().txHash as Hex;
    assert.equal(b.json().txHash, txHash);
    const receipt = await t.deps.chain.waitForTransactionReceipt({ hash: txHash });
    assert.equal(receipt.status, 'success');
    assert.equal(receipt.from.toLowerCase(), operator.toLowerCase(), 'sent by the operator');
    const claimed = await t.deps.chain.readContract({ address: claim.to, abi: rewardDistributorAbi, functionName: 'claimed', args: [address] });
    assert.equal(claimed, expected, 'credited to the player');

    const beforeSync = (await get('/api/token/balance')).json();
    assert.deepEqual([beforeSync.balance, beforeSync.pending], ['0', expected.toString()]);
    await new Indexer({ client: t.deps.chain, pool, deployments, confirmations: 0, finalityDepth: 64, maxBlockRange: 1000, concurrency: 3 }).syncToHead();
    const balance = (await get('/api/token/balance')).json();
    assert.deepEqual([balance.address, balance.balance, balance.pending], [address, expected.toString(), '0']);

    const again = await post('/api/token/claim');
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual([again.json().txHash, again.json().status], [txHash, 'confirmed']);
    const after = (await get('/api/token/claim')).json();
    assert.deepEqual([after.claimed, after.claimable, after.relay?.txHash, after.relay?.status], [expected.toString(), '0', txHash, 'confirmed']);
    await new Indexer({ client: t.deps.chain, pool, deployments, confirmations: 0, finalityDepth: 64, maxBlockRange: 1000, concurrency: 3 }).syncToHead();
    const claims = await db.sql.query(`SELECT count(*)::int AS n FROM chain_events WHERE event_name = 'Claimed' AND lower(args->>'account') = $1`, [address]);
    assert.equal(claims.rows[0].n, 1, 'exactly one claim on chain');

    const history = (await get('/api/token/history')).json().events as { event: string; txHash: string; args: Record<string, string> }[];
    assert.deepEqual(history.map((e) => e.event).sort(), ['Claimed', 'Transfer']);
    assert.ok(history.every((e) => e.txHash === txHash));
    const transfer = history.find((e) => e.event === 'Transfer');
    assert.equal(transfer?.args.to?.toLowerCase(), address);
    assert.equal(transfer?.args.value, expected.toString());
  });
});
