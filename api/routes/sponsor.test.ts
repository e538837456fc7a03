import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createWalletClient, decodeFunctionData, encodeFunctionData, erc20Abi, http, parseAbi, parseEther, toHex, type Address, type Hex, type LocalAccount } from 'viem';
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { Indexer } from '../../indexer/sync.ts';
import { createChainWriter, loadDeployments, type Deployments } from '../../lib/chain.ts';
import { testServices } from '../../lib/config.ts';
import { appendEntry } from '../../lib/ledger-store.ts';
import { sponsorPoolAbi } from '../../lib/sponsor-pool.ts';
import { closeEpoch } from '../../scripts/epoch-close.ts';
import { deployOneHeart } from '../../scripts/deploy.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { entryInput } from '../../test/ledger/seed.ts';
import { bearer, signIn, testApp, type TestApp } from '../testing.ts';

type Session = Awaited<ReturnType<typeof signIn>>;

// Hardhat dev account #11 (standard mnemonic) is this file's deployer, operator, treasurer and funder.
const DEV_11 = mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: 11 });
const KEY_11 = toHex(DEV_11.getHdKey().privateKey!);
const USD = 10n ** 6n;

describe('sponsors on the real chain: campaign, fund calldata signed by the sponsor, indexer, panel, solvency, ROI; epoch notifications', () => {
  let db: TestDatabase;
  let t: TestApp;
  let pool: pg.Pool;
  let outDir: string;
  let deployments: Deployments;
  let sponsorWallet: LocalAccount;
  let sponsor: Session;
  let rival: Session;
  let player: Session;
  let admin: Session;
  let zoneId: string;
  let missionId: string;
  let campaignId: Hex;
  const rpc = () => testServices().RPC_URL;

  const wallet = (account: LocalAccount) => createWalletClient({ account, transport: http(rpc()) });
  async function send(account: LocalAccount, to: Address, data: Hex) {
    const hash = await wallet(account).sendTransaction({ to, data, chain: null });
    const receipt = await t.deps.chain.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    return receipt;
  }
  const fundFrom11 = async (to: Address) => {
    const hash = await wallet(DEV_11).sendTransaction({ to, value: parseEther('1'), chain: null });
    await t.deps.chain.waitForTransactionReceipt({ hash });
  };
  const address = (name: string) => deployments.contracts[name]!.address as Address;
  const indexToHead = () => new Indexer({ client: t.deps.chain, pool, deployments, confirmations: 0, finalityDepth: 64, maxBlockRange: 1000, concurrency: 3 }).syncToHead();
  /** Signs in `account`, gives it `role`, and signs in again (the role is in the access token). */
  async function as(role: string, account: LocalAccount = privateKeyToAccount(generatePrivateKey())): Promise<Session> {
    const first = await signIn(t, account);
    await db.sql.query(`UPDATE players SET role = $2::"Role" WHERE id = $1`, [first.player.id, role]);
    return signIn(t, account);
  }

  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    outDir = await mkdtemp(path.join(os.tmpdir(), 'oh-sponsor-api-'));
    t = await testApp(db.url, { S3_BUCKET: `sponsor-api-${randomBytes(5).toString('hex')}`, DEPLOYMENTS_DIR: outDir, OPERATOR_PRIVATE_KEY: KEY_11 });
    await deployOneHeart({ rpcUrl: rpc(), deployerPrivateKey: KEY_11, outDir });
    deployments = (await loadDeployments(outDir, await t.deps.chain.getChainId()))!;
    await t.deps.storage.ensureBucket();
    sponsorWallet = privateKeyToAccount(generatePrivateKey());
    await fundFrom11(sponsorWallet.address);
    [sponsor, rival, player, admin] = await Promise.all([as('sponsor', sponsorWallet), as('sponsor'), as('player'), as('admin')]);
    zoneId = (await db.sql.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES (gen_random_uuid(), 'Nairobi', 'KE', 0, 0, 100) RETURNING id`)).rows[0].id;
    missionId = (await db.sql.query(
      `INSERT INTO missions (id, zone_id, title, description, type, base_xp, base_heart, duration_minutes, latitude, longitude)
       VALUES (gen_random_uuid(), $1, 'Plant', 'd', 'planting', 10, 1000, 30, 0, 0) RETURNING id`, [zoneId])).rows[0].id;
  });
  after(async () => {
    await pool.end();
    await t.close();
    await db.drop();
    await rm(outDir, { recursive: true, force: true });
  });

  const call = (method: 'GET' | 'POST', url: string, s: Session | null, payload?: object) =>
    t.app.inject({ method, url, headers: s ? bearer(s.accessToken) : {}, ...(payload ? { payload } : {}) });
  const count = async (table: string) => (await db.sql.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

  it('POST /api/sponsor/campaign: sponsors only, validated, idempotent, one owner per campaignId', async () => {
    const body = { name: 'Green Nairobi', sponsorName: 'Acme', zoneIds: [zoneId], missionIds: [missionId], startsAt: '2020-01-01T00:00:00.000Z' };
    assert.equal((await call('POST', '/api/sponsor/campaign', null, body)).statusCode, 401);
    assert.equal((await call('POST', '/api/sponsor/campaign', player, body)).statusCode, 403);
    for (const [bad, code] of [
      [{ ...body, zoneIds: [], missionIds: [] }, 'NO_TARGETS'],
      [{ ...body, zoneIds: [randomUUID()] }, 'UNKNOWN_ZONE'],
      [{ ...body, missionIds: [randomUUID()] }, 'UNKNOWN_MISSION'],
      [{ ...body, endsAt: '2019-01-01T00:00:00.000Z' }, 'BAD_WINDOW'],
      [{ ...body, campaignId: '0x1234' }, 'VALIDATION_FAILED'],
      [{ ...body, name: '' }, 'VALIDATION_FAILED'],
      [{ ...body, extra: true }, 'VALIDATION_FAILED'],
    ] as const) {
      const res = await call('POST', '/api/sponsor/campaign', sponsor, bad);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, code);
    }
    assert.equal(await count('campaigns'), 0, 'bad input changes nothing');
    assert.equal(await count('sponsors'), 0);

    const created = await call('POST', '/api/sponsor/campaign', sponsor, body);
    assert.equal(created.statusCode, 201, created.body);
    const c = created.json();
    campaignId = c.campaignId;
    assert.match(campaignId, /^0x[0-9a-f]{64}$/);
    assert.deepEqual([c.zoneIds, c.missionIds, c.zoneId, c.sponsor.address, c.sponsor.name], [[zoneId], [missionId], zoneId, sponsor.player.address.toLowerCase(), 'Acme']);
    const again = await call('POST', '/api/sponsor/campaign', sponsor, body);
    assert.equal(again.statusCode, 200);
    assert.deepEqual(again.json(), c);
    const changed = await call('POST', '/api/sponsor/campaign', sponsor, { ...body, missionIds: [] });
    assert.equal(changed.statusCode, 409);
    assert.equal(changed.json().error.code, 'CAMPAIGN_EXISTS');
    const stolen = await call('POST', '/api/sponsor/campaign', rival, { ...body, campaignId });
    assert.equal(stolen.statusCode, 409);
    assert.deepEqual([await count('campaigns'), await count('campaign_zones'), await count('campaign_missions')], [1, 1, 1]);

    // Two identical creates at once: one creates, the other gets the same campaign.
    const race = { name: 'Seedlings', missionIds: [missionId] };
    const [a, b] = await Promise.all([call('POST', '/api/sponsor/campaign', sponsor, race), call('POST', '/api/sponsor/campaign', sponsor, race)]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 201], `${a.body} ${b.body}`);
    assert.equal(a.json().id, b.json().id);
    assert.equal(await count('campaigns'), 2);
  });

  it('GET /api/sponsor/fund-tx → signed by the sponsor → indexer → panel; bucket totals on chain equal the mirror', async () => {
    const amount = 1000n * USD;
    assert.equal((await call('GET', `/api/sponsor/fund-tx?campaignId=${campaignId}&amount=1`, player)).statusCode, 403);
    assert.equal((await call('GET', `/api/sponsor/fund-tx?campaignId=${campaignId}&amount=1`, null)).statusCode, 401);
    assert.equal((await call('GET', `/api/sponsor/fund-tx?campaignId=${campaignId}&amount=1`, rival)).statusCode, 404, "another sponsor's campaign");
    for (const bad of [`campaignId=${campaignId}&amount=0`, `campaignId=${campaignId}&amount=-5`, `campaignId=${campaignId}&amount=1.5`, 'campaignId=0x12&amount=1', `campaignId=${campaignId}`]) {
      assert.equal((await call('GET', `/api/sponsor/fund-tx?${bad}`, sponsor)).statusCode, 400, bad);
    }

    await send(DEV_11, address('Stablecoin'), toHexCall('mint', sponsorWallet.address, 5000n * USD));
    const res = await call('GET', `/api/sponsor/fund-tx?campaignId=${campaignId}&amount=${amount}`, sponsor);
    assert.equal(res.statusCode, 200, res.body);
    const plan = res.json();
    assert.deepEqual(plan.transactions.map((x: { to: string }) => x.to.toLowerCase()), [address('Stablecoin').toLowerCase(), address('SponsorPool').toLowerCase()]);
    const fund = decodeFunctionData({ abi: sponsorPoolAbi, data: plan.transactions[1].data });
    assert.deepEqual([fund.functionName, fund.args[0], fund.args[2]], ['fund', campaignId, amount]);
    for (const x of plan.transactions) await send(sponsorWallet, x.to, x.data);

    // A sponsor who already approved enough gets the fund transaction alone.
    await send(sponsorWallet, address('Stablecoin'), encodeApprove(address('SponsorPool'), 3000n * USD));
    const second = (await call('GET', `/api/sponsor/fund-tx?campaignId=${campaignId}&amount=${500n * USD}`, sponsor)).json();
    assert.equal(second.transactions.length, 1);
    await send(sponsorWallet, second.transactions[0].to, second.transactions[0].data);

    // The treasurer (#11) pays 100 out of the local bucket.
    const payee = privateKeyToAccount(generatePrivateKey()).address;
    await send(DEV_11, address('SponsorPool'), encodeDisburse(0, campaignId, payee, 100n * USD));
    await indexToHead();

    const panel = await call('GET', '/api/sponsor/panel', sponsor);
    assert.equal(panel.statusCode, 200, panel.body);
    const p = panel.json();
    assert.equal(p.deposits.length, 2);
    assert.deepEqual(p.totals, { funded: (1500n * USD).toString(), deposits: 2, split: { local: (900n * USD).toString(), national: (450n * USD).toString(), global: (150n * USD).toString() } });
    assert.equal(p.campaigns.length, 1);
    assert.deepEqual([p.campaigns[0].campaignId, p.campaigns[0].name, p.campaigns[0].funded, p.campaigns[0].deposits, p.campaigns[0].disbursed], [campaignId, 'Green Nairobi', (1500n * USD).toString(), 2, (100n * USD).toString()]);
    assert.equal(p.disbursements.length, 1);
    assert.deepEqual([p.disbursements[0].bucket, p.disbursements[0].to, p.disbursements[0].amount], ['local', payee.toLowerCase(), (100n * USD).toString()]);
    assert.deepEqual(p.pool.map((b: { balance: string }) => b.balance), [(800n * USD).toString(), (450n * USD).toString(), (150n * USD).toString()]);

    // Solvency: every bucket total read from the chain equals the mirror (funded − disbursed).
    for (const [i, b] of p.pool.entries()) {
      const onChain = await t.deps.chain.readContract({ address: address('SponsorPool'), abi: sponsorPoolAbi, functionName: 'bucketTotal', args: [i] });
      assert.equal(onChain.toString(), b.balance, `bucket ${b.bucket}`);
    }
    const poolBalance = await t.deps.chain.readContract({ address: address('Stablecoin'), abi: erc20Abi, functionName: 'balanceOf', args: [address('SponsorPool')] });
    assert.equal(poolBalance, 1400n * USD);

    // Who may read whose panel.
    assert.deepEqual((await call('GET', `/api/sponsor/panel?sponsor=${sponsor.player.address}`, admin)).json(), p);
    assert.equal((await call('GET', `/api/sponsor/panel?sponsor=${sponsor.player.address}`, rival)).statusCode, 403);
    assert.equal((await call('GET', '/api/sponsor/panel', admin)).json().error.code, 'SPONSOR_REQUIRED');
    assert.equal((await call('GET', '/api/sponsor/panel', player)).statusCode, 403);
    assert.equal((await call('GET', '/api/sponsor/panel?sponsor=0xnope', admin)).statusCode, 400);
  });

  it('GET /api/sponsor/roi: impact on the funded missions and zones per stablecoin unit, per campaign and month; then the epoch anchoring notifies players', async () => {
    const players: Session[] = [await as('player'), await as('player')];
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      for (const [i, s] of [players[0]!, players[0]!, players[1]!].entries()) {
        const actionId = randomUUID();
        await c.query(`INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at) VALUES ($1, $2, $3, $4, 0, 0, 5, now())`,
          [actionId, s.player.id, missionId, `roi-${i}-${actionId}`]);
        await appendEntry(c, entryInput(actionId, missionId, s.player.address.toLowerCase(), 10n ** 18n));
      }
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    const res = await call('GET', '/api/sponsor/roi', sponsor);
    assert.equal(res.statusCode, 200, res.body);
    const roi = res.json();
    assert.equal(roi.decimals, 6);
    const [campaign] = roi.campaigns;
    assert.equal(campaign.campaignId, campaignId);
    assert.equal(campaign.fundedUnits, 1500);
    assert.deepEqual([Number(campaign.total.impactCredits), campaign.total.verifiedActions, campaign.total.playersReached], [4.5, 3, 2]);
    assert.deepEqual(campaign.total.perUnit, { impactCredits: 4.5 / 1500, verifiedActions: 3 / 1500, playersReached: 2 / 1500 });
    const month = new Date().toISOString().slice(0, 7);
    assert.deepEqual(campaign.months.map((m: { month: string; verifiedActions: number }) => [m.month, m.verifiedActions]), [[month, 3]]);
    assert.deepEqual((await call('GET', `/api/sponsor/roi?sponsor=${sponsor.player.address}`, admin)).json(), roi);
    assert.equal((await call('GET', '/api/sponsor/roi', player)).statusCode, 403);
    assert.equal((await call('GET', '/api/sponsor/roi', null)).statusCode, 401);
    assert.deepEqual((await call('GET', '/api/sponsor/roi', rival)).json().campaigns, []);

    // Month end: close and anchor the epoch (operator #11); the indexer mirrors EpochAnchored and notifies once.
    const [y, m] = month.split('-').map(Number) as [number, number];
    const closed = await closeEpoch({
      pool, storage: t.deps.storage, reader: t.deps.chain, writer: createChainWriter(rpc(), KEY_11),
      anchor: address('LedgerAnchor'), month, now: new Date(Date.UTC(y, m, 2)),
    });
    await indexToHead();
    await indexToHead();
    const notes = (await db.sql.query(`SELECT player_id::text, kind, data FROM notifications WHERE kind IN ('epoch_anchored', 'claim_available') ORDER BY kind, player_id`)).rows;
    const byPlayer = (id: string, kind: string) => notes.filter((n) => n.player_id === id && n.kind === kind);
    assert.equal(notes.length, 4, 'one of each kind per player, even after a second indexer pass');
    assert.equal(byPlayer(players[0]!.player.id, 'epoch_anchored')[0].data.entries, 2);
    assert.equal(byPlayer(players[1]!.player.id, 'epoch_anchored')[0].data.entries, 1);
    assert.equal(byPlayer(players[0]!.player.id, 'claim_available')[0].data.cumulativeAmount, (2n * 10n ** 18n).toString());
    assert.equal(byPlayer(players[1]!.player.id, 'claim_available')[0].data.epoch, closed.epoch);
  });
});

const devAbi = parseAbi([
  'function mint(address to, uint256 amount)',
  'function disburse(uint8 bucket, bytes32 campaignId, address to, uint256 amount, bytes32 paymentReference)',
]);
const toHexCall = (fn: 'mint', to: Address, amount: bigint) => encodeFunctionData({ abi: devAbi, functionName: fn, args: [to, amount] });
const encodeApprove = (spender: Address, amount: bigint) => encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [spender, amount] });
const encodeDisburse = (bucket: number, campaign: Hex, to: Address, amount: bigint) =>
  encodeFunctionData({ abi: devAbi, functionName: 'disburse', args: [bucket, campaign, to, amount, `0x${'ab'.repeat(32)}`] });
