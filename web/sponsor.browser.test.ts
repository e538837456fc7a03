// The sponsor panel page in Chromium on the real stack: contracts deployed on the test chain, two
// campaigns funded with calldata from /api/sponsor/fund-tx signed by the sponsor, a disbursement,
// the indexer mirroring them, and ledger entries on the funded missions. The page shows the
// deposits, their split, the disbursement and impact per stablecoin unit per campaign and month.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { createWalletClient, encodeFunctionData, http, parseAbi, parseEther, toHex, type Address, type Hex, type LocalAccount } from 'viem';
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { bearer, signIn, testApp, type TestApp } from '../api/testing.ts';
import { Indexer } from '../indexer/sync.ts';
import { loadDeployments, type Deployments } from '../lib/chain.ts';
import { testServices } from '../lib/config.ts';
import { appendEntry } from '../lib/ledger-store.ts';
import { deployOneHeart } from '../scripts/deploy.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { entryInput } from '../test/ledger/seed.ts';

// Hardhat dev account #18 (standard mnemonic) is this file's deployer, treasurer and faucet.
const DEV_18 = mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: 18 });
const KEY_18 = toHex(DEV_18.getHdKey().privateKey!);
const USD = 10n ** 6n;
const devAbi = parseAbi([
  'function mint(address to, uint256 amount)',
  'function disburse(uint8 bucket, bytes32 campaignId, address to, uint256 amount, bytes32 paymentReference)',
]);

describe('sponsor panel page in Chromium', () => {
  let db: TestDatabase;
  let t: TestApp;
  let pool: pg.Pool;
  let outDir: string;
  let deployments: Deployments;
  let apiUrl: string;
  let browser: Browser;
  let sponsor: { address: string; token: string };
  let admin: string;
  let player: string;
  const rpc = () => testServices().RPC_URL;

  async function send(account: LocalAccount, to: Address, data: Hex): Promise<void> {
    const hash = await createWalletClient({ account, transport: http(rpc()) }).sendTransaction({ to, data, chain: null });
    assert.equal((await t.deps.chain.waitForTransactionReceipt({ hash })).status, 'success');
  }
  const address = (name: string) => deployments.contracts[name]!.address as Address;
  /** Signs in `account` (default: a new wallet) with `role`. */
  async function as(role: string, account: LocalAccount = privateKeyToAccount(generatePrivateKey())) {
    const first = await signIn(t, account);
    await db.sql.query(`UPDATE players SET role = $2::"Role" WHERE id = $1`, [first.player.id, role]);
    return signIn(t, account);
  }
  async function mission(zoneName: string): Promise<string> {
    const zoneId = (await db.sql.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES (gen_random_uuid(), $1, 'KE', 0, 0, 100) RETURNING id`, [zoneName])).rows[0].id;
    return (await db.sql.query(
      `INSERT INTO missions (id, zone_id, title, description, type, base_xp, base_heart, duration_minutes, latitude, longitude)
       VALUES (gen_random_uuid(), $1, 'Plant', 'd', 'planting', 10, 1000, 30, 0, 0) RETURNING id`, [zoneId])).rows[0].id;
  }

  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    outDir = await mkdtemp(path.join(os.tmpdir(), 'oh-sponsor-page-'));
    t = await testApp(db.url, { S3_BUCKET: `sponsor-page-${randomBytes(5).toString('hex')}`, DEPLOYMENTS_DIR: outDir, OPERATOR_PRIVATE_KEY: KEY_18 });
    await deployOneHeart({ rpcUrl: rpc(), deployerPrivateKey: KEY_18, outDir });
    deployments = (await loadDeployments(outDir, await t.deps.chain.getChainId()))!;

    const wallet = privateKeyToAccount(generatePrivateKey());
    const gas = await createWalletClient({ account: DEV_18, transport: http(rpc()) }).sendTransaction({ to: wallet.address, value: parseEther('1'), chain: null });
    await t.deps.chain.waitForTransactionReceipt({ hash: gas });
    const s = await as('sponsor', wallet);
    sponsor = { address: s.player.address.toLowerCase(), token: s.accessToken };
    admin = (await as('admin')).accessToken;
    player = (await signIn(t)).accessToken;

    // Two campaigns on two missions; the sponsor funds 1000 and 500 from its wallet; 100 is paid out of the first's local bucket.
    const missions = [await mission('Nairobi'), await mission('Mombasa')];
    await send(DEV_18, address('Stablecoin'), encodeFunctionData({ abi: devAbi, functionName: 'mint', args: [wallet.address, 5000n * USD] }));
    const campaigns: Hex[] = [];
    for (const [i, [name, amount]] of ([['Green Nairobi', 1000n], ['Clean Mombasa', 500n]] as const).entries()) {
      const c = await t.app.inject({ method: 'POST', url: '/api/sponsor/campaign', headers: bearer(sponsor.token), payload: { name, missionIds: [missions[i]] } });
      assert.equal(c.statusCode, 201, c.body);
      campaigns.push(c.json().campaignId);
      const plan = await t.app.inject({ method: 'GET', url: `/api/sponsor/fund-tx?campaignId=${c.json().campaignId}&amount=${amount * USD}`, headers: bearer(sponsor.token) });
      assert.equal(plan.statusCode, 200, plan.body);
      for (const x of plan.json().transactions as { to: Address; data: Hex }[]) await send(wallet, x.to, x.data);
    }
    const payee = privateKeyToAccount(generatePrivateKey()).address;
    await send(DEV_18, address('SponsorPool'), encodeFunctionData({ abi: devAbi, functionName: 'disburse', args: [0, campaigns[0]!, payee, 100n * USD, `0x${'ab'.repeat(32)}`] }));
    await new Indexer({ client: t.deps.chain, pool, deployments, confirmations: 0, finalityDepth: 64, maxBlockRange: 1000, concurrency: 3 }).syncToHead();

    // Ledger: three entries (two players) on the first campaign's mission, one on the second's; 1.5 impact credits each.
    const players = [await signIn(t), await signIn(t)];
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      for (const [p, m] of [[0, 0], [0, 0], [1, 0], [1, 1]] as const) {
        const actionId = randomUUID();
        await c.query(`INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at) VALUES ($1, $2, $3, $4, 0, 0, 5, now())`,
          [actionId, players[p]!.player.id, missions[m], actionId]);
        await appendEntry(c, entryInput(actionId, missions[m]!, players[p]!.player.address.toLowerCase()));
      }
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t.close();
    await pool.end();
    await db.drop();
    await rm(outDir, { recursive: true, force: true });
  });

  async function open(token: string, query = ''): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${apiUrl}/dashboard/sponsor${query}#token=${encodeURIComponent(token)}`);
    await page.locator('#status').filter({ hasText: /updated|Could not|Sign in/ }).waitFor({ timeout: 30_000 })
      .catch((err: unknown) => { throw new Error(`${(err as Error).message}; page errors: ${errors.join('; ')}`); });
    assert.deepEqual(errors, []);
    return page;
  }
  const rowTexts = async (page: Page, host: string) =>
    Promise.all((await page.locator(`#${host} tbody tr`).all()).map(async (r) => (await r.locator('td').allTextContents())));

  it("shows the sponsor's deposits, split, disbursement and impact per stablecoin unit", async () => {
    const page = await open(sponsor.token);
    try {
      assert.match((await page.locator('#status').textContent()) ?? '', new RegExp(`Sponsor ${sponsor.address}`));
      assert.equal((await page.locator('#kpis').allTextContents()).join(''), '1,500funded (stablecoin)2deposits100disbursed (stablecoin)2campaigns6impact credits');
      await page.locator('#roiByMonth[data-points]').waitFor({ state: 'attached', timeout: 30_000 });
      const points = async (id: string) => Number(await page.locator(`#${id}`).getAttribute('data-points'));
      assert.equal(await points('split'), 3, 'Local, National, Global');
      assert.equal(await points('roi'), 6, 'three ratios for each of two campaigns');
      assert.equal(await points('roiByMonth'), 2, 'one month for each of two campaigns');
      assert.deepEqual(await rowTexts(page, 'campaigns'), [
        ['Green Nairobi', '1,000', '600', '300', '100', '100', '4.5', '3', '2'],
        ['Clean Mombasa', '500', '300', '150', '50', '0', '1.5', '1', '1'],
      ]);
      const deposits = await rowTexts(page, 'deposits');
      assert.deepEqual(deposits.map((r) => [r[2], r[3], r[4], r[5], r[6]]), [['Clean Mombasa', '500', '300', '150', '50'], ['Green Nairobi', '1,000', '600', '300', '100']]);
      const disbursements = await rowTexts(page, 'disbursements');
      assert.deepEqual(disbursements.map((r) => [r[2], r[3], r[5]]), [['Green Nairobi', 'local', '100']]);
      assert.match((await page.locator('#block').textContent()) ?? '', /^[0-9]+$/);
    } finally {
      await page.close();
    }
  });

  it("an admin reads a sponsor's panel with ?sponsor=, and must name one", async () => {
    const page = await open(admin, `?sponsor=${sponsor.address}`);
    try {
      assert.equal(await page.locator('#campaigns tbody tr').count(), 2);
    } finally {
      await page.close();
    }
    const unnamed = await open(admin);
    try {
      assert.match((await unnamed.locator('#status').textContent()) ?? '', /Could not load the dashboard: name the sponsor/);
    } finally {
      await unnamed.close();
    }
  });

  it('asks a player to sign in as a sponsor', async () => {
    const page = await open(player);
    try {
      await page.locator('#token').waitFor({ timeout: 30_000 });
      assert.match((await page.locator('#status').textContent()) ?? '', /Sign in as a sponsor .*\(FORBIDDEN\)/);
    } finally {
      await page.close();
    }
  });
});
