// The policy simulator page in Chromium, on a seeded two-zone ledger with one sponsor deposit: it
// opens on formula v1 (simulated = actual), a changed parameter or split changes the simulated
// figures and charts, an impossible split shows the API's refusal, and the ledger is never written.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { newWallet, signIn, testApp, type TestApp } from '../api/testing.ts';
import { seedLedgerHistory } from '../simulate/testing.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';

const CAMPAIGN = `0x${'cd'.repeat(32)}`;

describe('policy simulator page in Chromium', () => {
  let db: TestDatabase;
  let t: TestApp;
  let apiUrl: string;
  let browser: Browser;
  let auditor: string;
  let player: string;
  let page: Page;
  const errors: string[] = [];

  const ledgerState = async () => (await db.sql.query(
    `SELECT count(*)::int AS n, (SELECT encode(entry_hash, 'hex') FROM ledger_entries ORDER BY seq DESC LIMIT 1) AS head FROM ledger_entries`)).rows[0] as { n: number; head: string };

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    const w = newWallet();
    await db.sql.query(`UPDATE players SET role = 'auditor' WHERE id = $1`, [(await signIn(t, w)).player.id]);
    auditor = (await signIn(t, w)).accessToken;
    player = (await signIn(t)).accessToken;
    const { zoneIds } = await seedLedgerHistory(db.sql, '2026-01', 3, [
      { name: 'Nairobi river', countryCode: 'KE', multiplier: '1.000', missionType: 'cleanup' },
      { name: 'Kampala hills', countryCode: 'UG', multiplier: '1.500', missionType: 'planting' },
    ], (z, m) => 2 + z + m);
    // one deposit of 1,000,000 base units to a campaign in the first zone, split 60/30/10 by the pool
    const sponsor = randomUUID();
    await db.sql.query(`INSERT INTO sponsors (id, name, address) VALUES ($1, 'S', $2)`, [sponsor, `0x${'5'.repeat(40)}`]);
    await db.sql.query(`INSERT INTO campaigns (id, sponsor_id, zone_id, name, onchain_id) VALUES ($1, $2, $3, 'C', $4)`, [randomUUID(), sponsor, zoneIds[0], CAMPAIGN]);
    await db.sql.query(
      `INSERT INTO chain_events (chain_id, block_number, block_hash, tx_hash, log_index, contract, event_name, args)
       VALUES (31337, 5, $1, $1, 0, $2, 'Funded', $3::jsonb)`,
      [`0x${'01'.repeat(32)}`, `0x${'6'.repeat(40)}`, JSON.stringify({ sponsor: `0x${'5'.repeat(40)}`, campaignId: CAMPAIGN, zoneId: `0x${'00'.repeat(32)}`, amount: '1000000', local: '600000', national: '300000', global: '100000' })]);
    await db.sql.query(`INSERT INTO pool_bucket_balances (bucket, funded, disbursed, block_number) VALUES ('local', 600000, 0, 5), ('national', 300000, 0, 5), ('global', 100000, 0, 5)`);
    apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await t.close();
    await db.drop();
  });

  const cell = async (id: string) => (await page.locator(`#${id}`).textContent()) ?? '';
  const number = async (id: string) => Number((await cell(id)).replaceAll(',', ''));
  /** Clicks Run and waits for the simulated cell `id` to change. */
  async function rerun(id: string): Promise<void> {
    const before = await cell(id);
    await page.locator('#run').click();
    await page.locator(`#${id}`).filter({ hasNotText: before }).waitFor({ timeout: 30_000 });
  }

  it('opens on formula v1: simulated equals actual, with charts by zone and bucket', async () => {
    const ledger = await ledgerState();
    await page.goto(`${apiUrl}/dashboard/policy#token=${encodeURIComponent(auditor)}`);
    await page.locator('#status').filter({ hasText: /Simulated|Could not|Sign in/ }).waitFor({ timeout: 30_000 })
      .catch((err: unknown) => { throw new Error(`${(err as Error).message}; page errors: ${errors.join('; ')}`); });
    assert.deepEqual(errors, []);
    assert.match(await cell('status'), new RegExp(`${ledger.n} ledger entries replayed; the unchanged formula reproduces ${ledger.n} of ${ledger.n}`));
    assert.equal(await page.locator('#creditUnitsPerReferenceHour').inputValue(), '10000', 'the form starts at formula v1');
    assert.equal(await page.locator('#split-localBps').inputValue(), '6000');
    for (const name of ['heart', 'impactCredits', 'fundingPerImpactCredit', 'balance-local']) assert.equal(await cell(`sim-${name}`), await cell(`act-${name}`), name);
    assert.ok(await number('act-impactCredits') > 0);
    assert.equal(await number('act-balance-local'), 600000);
    assert.equal(await page.locator('#zonesChart').getAttribute('data-points'), '4', 'two zones, actual and simulated');
    assert.equal(await page.locator('#bucketsChart').getAttribute('data-points'), '6', 'three buckets, actual and simulated');
    assert.equal(await page.locator('#zones tbody tr').count(), 2);
  });

  it('doubling credits per reference hour doubles simulated impact credits, not Heart', async () => {
    await page.locator('#creditUnitsPerReferenceHour').fill('20000');
    await rerun('sim-impactCredits');
    assert.ok(Math.abs(await number('sim-impactCredits') - 2 * await number('act-impactCredits')) < 0.001);
    assert.equal(await cell('sim-heart'), await cell('act-heart'));
    assert.equal(await page.locator('#sim-impactCredits.changed').count(), 1, 'the changed figure is marked');
    assert.ok(await number('sim-fundingPerImpactCredit') < await number('act-fundingPerImpactCredit'), 'cheaper per credit');
  });

  it('a new split moves the simulated bucket balances', async () => {
    await page.locator('#split-localBps').fill('5000');
    await page.locator('#split-nationalBps').fill('4000');
    await rerun('sim-balance-local');
    assert.deepEqual([await number('sim-balance-local'), await number('sim-balance-national'), await number('sim-balance-global')], [500000, 400000, 100000]);
    assert.equal(await number('act-balance-local'), 600000);
  });

  it('an impossible split shows the refusal; the ledger is untouched throughout', async () => {
    const ledger = await ledgerState();
    await page.locator('#split-globalBps').fill('2000');
    await page.locator('#run').click();
    await page.locator('#error').filter({ hasText: 'INVALID_POLICY' }).waitFor({ timeout: 30_000 });
    assert.match(await cell('error'), /must be 10000, got 11000/);
    assert.deepEqual(await ledgerState(), ledger);
    assert.deepEqual(errors, []);
  });

  it('asks a player to sign in as an auditor or admin', async () => {
    const other = await browser.newPage();
    try {
      await other.goto(`${apiUrl}/dashboard/policy#token=${encodeURIComponent(player)}`);
      await other.locator('#token').waitFor({ timeout: 30_000 });
      assert.match((await other.locator('#status').textContent()) ?? '', /Sign in as an auditor or admin \(FORBIDDEN\)/);
    } finally {
      await other.close();
    }
  });
});
