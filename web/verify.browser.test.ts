// The public verify page in a real browser (Debian Chromium via playwright-core): the page, served by
// the API, checks a real proof bundle against the root it reads from the chain RPC itself, says
// "verified", and says "not in ledger" for a tampered bundle; an entry number fetches the bundle.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import type { Address, Hex } from 'viem';
import { testApp, type TestApp } from '../api/testing.ts';
import { closeDefaultHashPool } from '../ledger/index.ts';
import { createChainReader, createChainWriter } from '../lib/chain.ts';
import { testServices } from '../lib/config.ts';
import { appendEntry } from '../lib/ledger-store.ts';
import { deployOneHeart } from '../scripts/deploy.ts';
import { closeEpoch } from '../scripts/epoch-close.ts';
import { bundleForEntry } from '../scripts/proof-bundle.ts';
import type { ProofBundle } from '../scripts/verify.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { entryInput, seedActions } from '../test/ledger/seed.ts';

// Hardhat dev account #14 (standard mnemonic; public): this file's deployer and anchorer.
const KEY: Hex = '0xc526ee95bf44d8fc405a158bb884d9d1238d99f0612e9f33d006bb0789009aaa';

describe('verify page in Chromium', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let t: TestApp;
  let outDir: string;
  let apiUrl: string;
  let bundle: ProofBundle;
  let browser: Browser;
  const rpc = testServices().RPC_URL;

  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    outDir = await mkdtemp(path.join(os.tmpdir(), 'oh-browser-'));
    const dep = await deployOneHeart({ rpcUrl: rpc, deployerPrivateKey: KEY, outDir });
    t = await testApp(db.url, { DEPLOYMENTS_DIR: outDir, S3_BUCKET: `oneheart-browser-${Date.now()}` });
    await t.deps.storage.ensureBucket();
    const { mission, address, actions } = await seedActions(db.sql, 7, 'b7');
    for (const [i, a] of actions.entries()) {
      const c = await pool.connect();
      await c.query('BEGIN');
      await appendEntry(c, entryInput(a, mission, address, BigInt(i + 1) * 10n ** 18n));
      await c.query('COMMIT');
      c.release();
    }
    const month = new Date().toISOString().slice(0, 7);
    const [y, m] = month.split('-').map(Number) as [number, number];
    const ops = { pool, storage: t.deps.storage, reader: createChainReader(rpc), writer: createChainWriter(rpc, KEY), anchor: dep.contracts.LedgerAnchor.address as Address };
    await closeEpoch({ ...ops, month, now: new Date(Date.UTC(y, m, 1, 0, 0, 1)) });
    bundle = await bundleForEntry(ops, 4);
    apiUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t.close();
    await pool.end();
    await db.drop();
    await rm(outDir, { recursive: true, force: true });
    await closeDefaultHashPool();
  });

  async function verifyInPage(fill: (page: Page) => Promise<void>): Promise<{ cls: string; text: string }> {
    const page = await browser.newPage();
    try {
      await page.goto(`${apiUrl}/verify`);
      await page.fill('#rpc', rpc);
      await fill(page);
      await page.click('#go');
      // the page shows "verifying…" until the check is done (locators: the page's CSP forbids eval)
      const result = page.locator('#result').filter({ hasText: /verified|not in ledger/ });
      await result.waitFor({ timeout: 30_000 });
      return { cls: (await result.getAttribute('class')) ?? '', text: (await result.textContent()) ?? '' };
    } finally {
      await page.close();
    }
  }

  it('says "verified" for a real bundle pasted in the page', async () => {
    const r = await verifyInPage((page) => page.fill('#bundle', JSON.stringify(bundle)));
    assert.equal(r.cls, 'ok', r.text);
    assert.match(r.text, /verified — entry 4 is in the ledger/);
  });

  it('says "not in ledger" for a tampered bundle, naming the field', async () => {
    const tampered = { ...bundle, inclusionProof: [...bundle.inclusionProof] };
    const first = tampered.inclusionProof[0] as string;
    tampered.inclusionProof[0] = `${first.slice(0, -1)}${first.endsWith('0') ? '1' : '0'}`;
    const r = await verifyInPage((page) => page.fill('#bundle', JSON.stringify(tampered)));
    assert.equal(r.cls, 'bad', r.text);
    assert.match(r.text, /not in ledger/);
    assert.match(r.text, /inclusionProof/);
  });

  it('fetches the bundle of an entry number from the API and verifies it', async () => {
    const r = await verifyInPage((page) => page.fill('#seq', '2'));
    assert.equal(r.cls, 'ok', r.text);
    assert.match(r.text, /verified — entry 2 is in the ledger/);
  });
});
