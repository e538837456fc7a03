// The dashboards in a real browser (Debian Chromium via playwright-core), on seeded ledger data:
// charts render with their data points, and a missing or refused token asks for one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { newWallet, signIn, testApp, type TestApp } from '../api/testing.ts';
import { appendEntry } from '../lib/ledger-store.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { entryInput, seedActions } from '../test/ledger/seed.ts';

describe('dashboards in Chromium', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let t: TestApp;
  let apiUrl: string;
  let browser: Browser;
  let auditor: string;
  let player: string;

  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    t = await testApp(db.url);
    for (const byte of ['d1', 'd2']) {
      const { mission, address, actions } = await seedActions(db.sql, 6, byte);
      for (const [i, a] of actions.entries()) {
        const c = await pool.connect();
        await c.query('BEGIN');
        await appendEntry(c, entryInput(a, mission, address, BigInt(i + 1) * 10n ** 18n));
        await c.query('COMMIT');
        c.release();
      }
    }
    const wallet = newWallet();
    await db.sql.query(`UPDATE players SET role = 'auditor' WHERE id = $1`, [(await signIn(t, wallet)).player.id]);
    auditor = (await signIn(t, wallet)).accessToken;
    player = (await signIn(t)).accessToken;
    apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t.close();
    await pool.end();
    await db.drop();
  });

  it('nation dashboard draws impact over time, by zone and by fund bucket', async () => {
    const page = await browser.newPage();
    try {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${apiUrl}/dashboard/nation#token=${encodeURIComponent(auditor)}`);
      await page.locator('#status').filter({ hasText: /Updated|Could not|Sign in/ }).waitFor({ timeout: 30_000 })
        .catch((err: unknown) => { throw new Error(`${(err as Error).message}; page errors: ${errors.join('; ')}`); });
      assert.deepEqual(errors, []);
      assert.match((await page.locator('#status').textContent()) ?? '', /Updated/);
      await page.locator('#funds[data-points]').waitFor({ state: 'attached', timeout: 30_000 });
      const points = async (id: string) => Number(await page.locator(`#${id}`).getAttribute('data-points'));
      assert.ok(await points('impactByMonth') >= 2, 'two series, at least one month');
      assert.equal(await points('byZone'), 2, 'two zones');
      assert.equal(await points('funds'), 3, 'three buckets');
      assert.match((await page.locator('#kpis').textContent()) ?? '', /12ledger entries/);
      assert.equal(new URL(page.url()).hash, '', 'the token is removed from the address bar');
    } finally {
      await page.close();
    }
  });

  it('asks for a token when there is none or it is refused', async () => {
    for (const [fragment, code] of [['', 'UNAUTHENTICATED'], [`#token=${encodeURIComponent(player)}`, 'FORBIDDEN']] as const) {
      const page = await browser.newPage(); // a new tab: a new sessionStorage
      try {
        await page.goto(`${apiUrl}/dashboard/nation${fragment}`);
        await page.locator('#token').waitFor({ timeout: 30_000 });
        assert.match((await page.locator('#status').textContent()) ?? '', new RegExp(`Sign in as an auditor or admin \\(${code}\\)`));
      } finally {
        await page.close();
      }
    }
  });
});
