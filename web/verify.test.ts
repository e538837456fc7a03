// The verify page's logic (web/verify-core.ts) against a real chain: a bundle built from a closed,
// anchored epoch verifies; tampered bundles are "not in ledger" naming the same field as
// scripts/verify.ts. The same module bundled for browsers (no Node built-ins, no Buffer) agrees.
// The page routes (api/routes/web.ts) serve the HTML, the bundle and the config.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Address, Hex } from 'viem';
import { testApp, type TestApp } from '../api/testing.ts';
import { bundleWeb } from '../api/routes/web.ts';
import { closeDefaultHashPool, toHex } from '../ledger/index.ts';
import { createChainReader, createChainWriter } from '../lib/chain.ts';
import { loadConfig, testServices } from '../lib/config.ts';
import { ledgerAnchorAbi } from '../lib/ledger-anchor.ts';
import { appendEntry } from '../lib/ledger-store.ts';
import { Storage } from '../lib/storage.ts';
import { deployOneHeart } from '../scripts/deploy.ts';
import { closeEpoch, type CloseEpochOptions } from '../scripts/epoch-close.ts';
import { bundleForEntry } from '../scripts/proof-bundle.ts';
import { verifyBundle, type ProofBundle } from '../scripts/verify.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { entryInput, seedActions } from '../test/ledger/seed.ts';
import { fetchBundle, parseBundleText, verifyBundleWeb, type WebVerifyResult } from './verify-core.ts';

// Hardhat dev account #8 (standard mnemonic; public): this file's deployer and anchorer.
const KEY: Hex = '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97';
const EXPLORER = 'https://explorer.example/';

describe('verify page', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let storage: Storage;
  let base: Omit<CloseEpochOptions, 'month'>;
  let bundle: ProofBundle;
  let txHash: string | null;
  before(async () => {
    const s = testServices();
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    storage = new Storage(loadConfig({ ...s, DATABASE_URL: db.url, S3_BUCKET: `oneheart-web-verify-${Date.now()}` }));
    await storage.ensureBucket();
    const dep = await deployOneHeart({ rpcUrl: s.RPC_URL, deployerPrivateKey: KEY, outDir: await mkdtemp(path.join(os.tmpdir(), 'oh-dep-')) });
    base = { pool, storage, reader: createChainReader(s.RPC_URL), writer: createChainWriter(s.RPC_URL, KEY), anchor: dep.contracts.LedgerAnchor.address as Address };
    const { mission, address, actions } = await seedActions(db.sql, 9, '8a');
    for (const [i, a] of actions.entries()) {
      const c = await pool.connect();
      await c.query('BEGIN');
      await appendEntry(c, { ...entryInput(a, mission, address, BigInt(i + 1) * 10n ** 18n), xp: 100 + i });
      await c.query('COMMIT');
      c.release();
    }
    const [y, m] = new Date().toISOString().slice(0, 7).split('-').map(Number) as [number, number];
    const res = await closeEpoch({ ...base, month: new Date().toISOString().slice(0, 7), now: new Date(Date.UTC(y, m, 1, 0, 0, 1)) });
    txHash = res.txHash;
    bundle = await bundleForEntry(base, 6);
  });
  after(async () => {
    await pool.end();
    storage.destroy();
    await db.drop();
    await closeDefaultHashPool();
  });

  const field = (r: WebVerifyResult) => (r.ok ? 'ok' : r.field);
  const tamper = (patch: (b: ProofBundle) => unknown): unknown => patch(JSON.parse(JSON.stringify(bundle)) as ProofBundle);
  const flip = (hex: string, byte: number) => {
    const b = Buffer.from(hex.slice(2), 'hex');
    b[byte] = (b[byte] as number) ^ 1;
    return toHex(b);
  };

  it('verifies a real bundle against the root read from the chain and decodes the entry', async () => {
    const r = await verifyBundleWeb(JSON.parse(JSON.stringify(bundle)), base.reader, { explorerUrl: EXPLORER });
    assert.ok(r.ok, JSON.stringify(r));
    const rec = await base.reader.readContract({ address: base.anchor, abi: ledgerAnchorAbi, functionName: 'epochRecord', args: [1n] });
    assert.equal(r.logRoot, rec.logRoot);
    assert.deepEqual([r.seq, r.epoch, r.treeSize], [6, 1, 9]);
    assert.equal(r.entry.seq, '6');
    assert.equal(r.entry.xp, 106);
    assert.equal(r.entry.heart, (7n * 10n ** 18n).toString());
    assert.equal(r.entry.player, `0x${'8a'.repeat(20)}`);
    assert.equal(r.entry.timestamp, new Date(Date.UTC(2026, 9, 15)).toISOString());
    assert.ok(txHash);
    assert.equal(r.anchorTx, txHash, 'the anchor tx is found from the EpochAnchored log');
    assert.equal(r.anchorTxUrl, `https://explorer.example/tx/${txHash}`);
    const noExplorer = await verifyBundleWeb(bundle, base.reader);
    assert.equal(noExplorer.ok && noExplorer.anchorTxUrl, null);
  });

  it('says "not in ledger" for tampered bundles, naming the same field as npm run verify', async () => {
    const cases: [string, unknown, string][] = [
      ['flipped entry byte', tamper((b) => ({ ...b, entry: { ...b.entry, encoded: flip(b.entry.encoded, 100) } })), 'inclusionProof'],
      ['flipped proof hash', tamper((b) => ({ ...b, inclusionProof: [flip(b.inclusionProof[0] as string, 0), ...b.inclusionProof.slice(1)] })), 'inclusionProof'],
      ['proof of another index', tamper((b) => ({ ...b, inclusionProof: [...b.inclusionProof].reverse() })), 'inclusionProof'],
      ['seq not the encoded one', tamper((b) => ({ ...b, entry: { ...b.entry, seq: 5 } })), 'entry.seq'],
      ['wrong tree size', tamper((b) => ({ ...b, treeSize: 10 })), 'treeSize'],
      ['unanchored epoch', tamper((b) => ({ ...b, epoch: 7 })), 'epoch'],
      ['other chain', tamper((b) => ({ ...b, chainId: 1 })), 'chainId'],
      ['bad proof list', tamper((b) => ({ ...b, inclusionProof: ['0x12'] })), 'inclusionProof'],
      ['bad version', tamper((b) => ({ ...b, version: 2 })), 'version'],
      ['truncated entry', tamper((b) => ({ ...b, entry: { ...b.entry, encoded: b.entry.encoded.slice(0, 100) } })), 'entry.encoded'],
    ];
    for (const [name, bad, want] of cases) {
      const r = await verifyBundleWeb(bad, base.reader);
      assert.equal(field(r), want, `${name}: ${JSON.stringify(r)}`);
      const cli = await verifyBundle(bad as ProofBundle, base.reader);
      assert.equal(cli.ok ? 'ok' : cli.field, want, `${name}: npm run verify agrees`);
    }
    const flipped = await verifyBundleWeb(tamper((b) => ({ ...b, entry: { ...b.entry, encoded: flip(b.entry.encoded, 100) } })), base.reader);
    assert.ok(!flipped.ok && flipped.entry, 'a tampered but decodable entry is still shown');
    assert.equal(field(await verifyBundleWeb(null, base.reader)), 'bundle');
  });

  it('the browser bundle of the same module (no node: imports, no Buffer) gives the same answers', async () => {
    const js = await bundleWeb(path.resolve(import.meta.dirname, 'verify-core.ts'), false);
    assert.doesNotMatch(js, /from\s*["']node:|require\(/);
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'oh-web-')), 'verify-core.mjs');
    await writeFile(file, js);
    const browserCore = (await import(pathToFileURL(file).href)) as typeof import('./verify-core.ts');
    const tampered = tamper((b) => ({ ...b, entry: { ...b.entry, encoded: flip(b.entry.encoded, 120) } }));
    const saved = globalThis.Buffer;
    const g = globalThis as { Buffer?: unknown };
    // Node's fetch stack needs Buffer: the RPC calls get it back for their duration only.
    const withBuffer = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
      g.Buffer = saved;
      try {
        return await fn(...a);
      } finally {
        g.Buffer = undefined;
      }
    };
    const r = base.reader;
    const client = { getChainId: withBuffer(() => r.getChainId()), readContract: withBuffer(r.readContract), getLogs: withBuffer(r.getLogs) } as unknown as typeof r;
    let good: WebVerifyResult, bad: WebVerifyResult;
    try {
      g.Buffer = undefined;
      good = await browserCore.verifyBundleWeb(bundle, client);
      bad = await browserCore.verifyBundleWeb(tampered, client);
    } finally {
      globalThis.Buffer = saved;
    }
    assert.ok(good.ok, JSON.stringify(good));
    assert.equal(good.entry.player, `0x${'8a'.repeat(20)}`);
    assert.equal(field(bad), 'inclusionProof');
  });

  it('reads bundles from text and from the API, and reports a missing proof route', async () => {
    assert.deepEqual(parseBundleText(JSON.stringify({ bundle })), bundle);
    assert.deepEqual(parseBundleText(JSON.stringify(bundle)), bundle);
    const tx = `0x${'ab'.repeat(32)}`;
    assert.deepEqual(parseBundleText(JSON.stringify({ bundle, anchorTxHash: tx, explorerUrl: null })), { ...bundle, anchorTxHash: tx });
    const hinted = await verifyBundleWeb({ ...bundle, anchorTxHash: tx }, base.reader);
    assert.equal(hinted.ok && hinted.anchorTx, txHash, 'the chain log wins over a hint');
    assert.throws(() => parseBundleText('{nope'));
    const served = (status: number, body: string): typeof fetch => async () => new Response(body, { status });
    assert.deepEqual(await fetchBundle('http://x', 6, served(200, JSON.stringify(bundle))), { ok: true, bundle });
    const missing = await fetchBundle('http://x', 6, served(404, '{"error":{"code":"NOT_FOUND"}}'));
    assert.ok(!missing.ok && /no proof for entry 6/.test(missing.reason));
    const down = await fetchBundle('http://x', 6, async () => { throw new Error('connection refused'); });
    assert.ok(!down.ok && /could not be reached/.test(down.reason));
    assert.equal((await fetchBundle('http://x', -1, served(200, '{}'))).ok, false);
  });

  it('serves the page, its script and its config', async () => {
    let t: TestApp | undefined;
    try {
      t = await testApp(db.url, { EXPLORER_URL: 'https://explorer.example' });
      const page = await t.app.inject({ method: 'GET', url: '/verify' });
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(page.body, /<script type="module" src="\/verify.js"><\/script>/);
      assert.match(String(page.headers['content-security-policy']), /connect-src \*/, 'the page may read any RPC');
      const js = await t.app.inject({ method: 'GET', url: '/verify.js' });
      assert.equal(js.statusCode, 200);
      assert.match(String(js.headers['content-type']), /^text\/javascript/);
      assert.doesNotMatch(js.body, /from\s*["']node:/);
      assert.match(js.body, /verify\/config\.json/);
      const cfg = await t.app.inject({ method: 'GET', url: '/verify/config.json' });
      assert.deepEqual(cfg.json(), { RPC_URL: testServices().RPC_URL, EXPLORER_URL: 'https://explorer.example' });
    } finally {
      await t?.close();
    }
  });
});
