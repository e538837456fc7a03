import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Address, Hex } from 'viem';
import { fromHex, toHex, verifyConsistency } from '../../ledger/index.ts';
import { createChainWriter, loadDeployments } from '../../lib/chain.ts';
import { testServices } from '../../lib/config.ts';
import { ledgerAnchorAbi } from '../../lib/ledger-anchor.ts';
import { appendEntry } from '../../lib/ledger-store.ts';
import { Indexer } from '../../indexer/sync.ts';
import { closeEpoch, type CloseEpochOptions } from '../../scripts/epoch-close.ts';
import { deployOneHeart } from '../../scripts/deploy.ts';
import { bundleForEntry } from '../../scripts/proof-bundle.ts';
import { verifyBundle, type ProofBundle } from '../../scripts/verify.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { entryInput, seedActions } from '../../test/ledger/seed.ts';
import { testApp, type TestApp } from '../testing.ts';
import { LEDGER_FINALITY_DEPTH } from './ledger.ts';

// Hardhat dev account #9 (standard mnemonic; public): this file's deployer and anchorer.
const KEY: Hex = '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6';
const EXPLORER = 'https://explorer.example/';

describe('public ledger API', () => {
  let db: TestDatabase;
  let t: TestApp;
  let pool: pg.Pool;
  let outDir: string;
  let anchor: Address;
  let base: Omit<CloseEpochOptions, 'month' | 'now'>;
  const month = new Date().toISOString().slice(0, 7);
  const [y, m] = month.split('-').map(Number) as [number, number];
  const prevMonth = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);

  before(async () => {
    const s = testServices();
    db = await freshDatabase();
    outDir = await mkdtemp(path.join(os.tmpdir(), 'oh-ledger-api-'));
    const dep = await deployOneHeart({ rpcUrl: s.RPC_URL, deployerPrivateKey: KEY, outDir });
    anchor = dep.contracts.LedgerAnchor.address as Address;
    t = await testApp(db.url, { S3_BUCKET: `ledger-api-${randomBytes(5).toString('hex')}`, DEPLOYMENTS_DIR: outDir, EXPLORER_URL: EXPLORER });
    await t.deps.storage.ensureBucket();
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    base = { pool, storage: t.deps.storage, reader: t.deps.chain, writer: createChainWriter(s.RPC_URL, KEY), anchor };
  });
  after(async () => {
    await pool.end();
    await t.close();
    await db.drop();
    await rm(outDir, { recursive: true, force: true });
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url });
  async function append(n: number, byte: string) {
    const { mission, address, actions } = await seedActions(db.sql, n, byte);
    for (const a of actions) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await appendEntry(c, entryInput(a, mission, address, 10n ** 18n));
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    }
  }
  const expectError = async (url: string, status: number, code: string) => {
    const res = await get(url);
    assert.equal(res.statusCode, status, res.body);
    assert.equal(res.json().error.code, code);
  };

  it('entries move verified → anchored → final; the API bundle verifies against the chain, a tampered one does not', async () => {
    await append(3, 'a1');
    // these three entries belong to last month (the ledger table rejects UPDATE for the app; the owner may lift it in a test)
    await db.sql.query('ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_no_update_delete');
    await db.sql.query(`UPDATE ledger_entries SET created_at = $1`, [new Date(Date.UTC(y, m - 2, 10))]);
    await db.sql.query('ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_no_update_delete');

    const fresh = await get('/api/ledger/entries/1');
    assert.equal(fresh.statusCode, 200, fresh.body);
    assert.equal(fresh.json().status, 'verified');
    assert.equal(fresh.json().epoch, null);
    assert.equal(fresh.json().heart, (10n ** 18n).toString());
    assert.equal(fresh.json().playerAddress, `0x${'a1'.repeat(20)}`);
    await expectError('/api/ledger/entries/1/proof', 409, 'NOT_ANCHORED');
    assert.deepEqual((await get('/api/ledger/epochs')).json(), { epochs: [] });

    const closed = await closeEpoch({ ...base, month: prevMonth });
    assert.equal(closed.epoch, 1);
    const list = (await get('/api/ledger/epochs')).json().epochs;
    assert.equal(list.length, 1);
    const e1 = list[0];
    const rec = await t.deps.chain.readContract({ address: anchor, abi: ledgerAnchorAbi, functionName: 'epochRecord', args: [1n] });
    assert.equal(e1.status, 'anchored');
    assert.equal(e1.treeSize, 3);
    assert.equal(e1.logRoot, rec.logRoot);
    assert.equal(e1.rewardsRoot, rec.rewardsRoot);
    assert.equal(e1.anchorTxHash, closed.txHash);
    assert.equal(e1.explorerUrl, `https://explorer.example/tx/${closed.txHash}`);
    assert.equal(e1.exportUri, closed.exportUri);
    assert.equal(e1.onChain, null, 'not indexed yet');
    assert.deepEqual((await get('/api/ledger/epochs/1')).json(), e1);

    const anchored = (await get('/api/ledger/entries/1')).json();
    assert.equal(anchored.epoch, 1);
    assert.equal(anchored.anchorTxHash, closed.txHash);
    assert.equal(anchored.status, anchored.confirmations >= LEDGER_FINALITY_DEPTH ? 'final' : 'anchored');
    for (let i = 0; i < LEDGER_FINALITY_DEPTH; i++) await t.deps.chain.request({ method: 'evm_mine', params: [] } as never);
    const final = (await get('/api/ledger/entries/1')).json();
    assert.equal(final.status, 'final');
    assert.ok(final.confirmations >= LEDGER_FINALITY_DEPTH);

    const res = await get('/api/ledger/entries/1/proof');
    assert.equal(res.statusCode, 200, res.body);
    const { bundle, anchorTxHash, explorerUrl } = res.json() as { bundle: ProofBundle; anchorTxHash: string; explorerUrl: string };
    assert.equal(anchorTxHash, closed.txHash);
    assert.ok(explorerUrl.endsWith(`/tx/${closed.txHash}`));
    assert.deepEqual(bundle, await bundleForEntry(base, 1), 'the same bundle as npm run ledger:bundle');
    const ok = await verifyBundle(bundle, t.deps.chain);
    assert.equal(ok.ok, true, JSON.stringify(ok));
    const flipped = fromHex(bundle.entry.encoded);
    flipped[100] = (flipped[100] as number) ^ 1;
    const tampered = await verifyBundle({ ...bundle, entry: { ...bundle.entry, encoded: toHex(flipped) } }, t.deps.chain);
    assert.equal(tampered.ok, false);
    assert.equal(tampered.ok ? '' : tampered.field, 'inclusionProof');
    const otherProof = await verifyBundle({ ...bundle, entry: { ...bundle.entry, seq: 2 } }, t.deps.chain);
    assert.equal(otherProof.ok, false);

    // the indexer's mirror shows up once synced
    const deployments = await loadDeployments(outDir, await t.deps.chain.getChainId());
    assert.ok(deployments);
    await new Indexer({ client: t.deps.chain, pool, deployments, confirmations: 0, finalityDepth: 64, maxBlockRange: 1000, concurrency: 3 }).syncToHead();
    const indexed = (await get('/api/ledger/epochs/1')).json();
    assert.deepEqual(indexed.onChain && { txHash: indexed.onChain.txHash, logRoot: indexed.onChain.logRoot, treeSize: indexed.onChain.treeSize },
      { txHash: closed.txHash, logRoot: rec.logRoot, treeSize: 3 });
  });

  it('consistency proof between two anchored epochs verifies on-chain; entries are proven against the first epoch holding them', async () => {
    await append(2, 'b2');
    const [yy, mm] = [y, m];
    const second = await closeEpoch({ ...base, month, now: new Date(Date.UTC(yy, mm, 2)) });
    assert.equal(second.epoch, 2);
    assert.equal(second.treeSize, 5);
    const res = await get('/api/ledger/consistency?from=1&to=2');
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json();
    assert.deepEqual([c.fromEpoch, c.toEpoch, c.fromTreeSize, c.toTreeSize], [1, 2, 3, 5]);
    const [a, z] = await Promise.all([1n, 2n].map((e) => t.deps.chain.readContract({ address: anchor, abi: ledgerAnchorAbi, functionName: 'epochRecord', args: [e] })));
    assert.equal(c.fromRoot, a?.logRoot);
    assert.equal(c.toRoot, z?.logRoot);
    assert.ok(c.proof.length > 0);
    assert.ok(verifyConsistency(3, 5, c.proof.map((h: string) => fromHex(h)), fromHex(c.fromRoot), fromHex(c.toRoot)));
    assert.equal(await t.deps.chain.readContract({ address: anchor, abi: ledgerAnchorAbi, functionName: 'verifyConsistency', args: [1n, 2n, c.proof] }), true);
    const bad = [...c.proof].reverse() as Hex[];
    assert.equal(await t.deps.chain.readContract({ address: anchor, abi: ledgerAnchorAbi, functionName: 'verifyConsistency', args: [1n, 2n, bad] }).catch(() => false), false);
    assert.deepEqual((await get('/api/ledger/consistency?from=2&to=2')).json().proof, []);

    const p4 = (await get('/api/ledger/entries/4/proof')).json();
    assert.equal(p4.bundle.epoch, 2);
    assert.equal(p4.anchorTxHash, second.txHash);
    assert.equal((await verifyBundle(p4.bundle, t.deps.chain)).ok, true);
    assert.equal((await get('/api/ledger/entries/0/proof')).json().bundle.epoch, 1);
    assert.deepEqual((await get('/api/ledger/epochs')).json().epochs.map((e: { epoch: number }) => e.epoch), [2, 1]);
  });

  it('unknown → 404 with a code; malformed → 400', async () => {
    await expectError('/api/ledger/entries/99', 404, 'NOT_FOUND');
    await expectError('/api/ledger/entries/99/proof', 404, 'NOT_FOUND');
    await expectError('/api/ledger/epochs/99', 404, 'NOT_FOUND');
    await expectError('/api/ledger/consistency?from=1&to=9', 404, 'NOT_FOUND');
    await expectError('/api/ledger/entries/abc', 400, 'VALIDATION_FAILED');
    await expectError('/api/ledger/entries/-1/proof', 400, 'VALIDATION_FAILED');
    await expectError('/api/ledger/entries/01', 400, 'VALIDATION_FAILED');
    await expectError('/api/ledger/epochs/x', 400, 'VALIDATION_FAILED');
    await expectError('/api/ledger/consistency?from=1', 400, 'VALIDATION_FAILED');
    await expectError('/api/ledger/consistency?from=1&to=2&x=1', 400, 'VALIDATION_FAILED');
    await expectError('/api/ledger/consistency?from=2&to=1', 400, 'BAD_RANGE');
    await expectError('/api/ledger/consistency?from=0&to=1', 400, 'BAD_RANGE');
  });

  it('GET /api/ledger/entries/by-hash/:hash gives the index of an entry hash (a lookup hint for tile verifiers)', async () => {
    const [row] = (await pool.query<{ seq: string; entry_hash: Buffer }>('SELECT seq::text AS seq, entry_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1')).rows;
    assert.ok(row);
    const res = await get(`/api/ledger/entries/by-hash/0x${row.entry_hash.toString('hex')}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { seq: Number(row.seq) });
    await expectError(`/api/ledger/entries/by-hash/0x${'00'.repeat(32)}`, 404, 'NOT_FOUND');
    await expectError('/api/ledger/entries/by-hash/0x1234', 400, 'VALIDATION_FAILED');
  });
});
