// The demo seeder on real services (small world): deterministic world, entries through applyImpact
// (hash chain, player stats), rejected cheats off the ledger, two anchored epochs, audit clean,
// a verifiable sample entry, and a refused second run.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Address, Hex } from 'viem';
import { closeDefaultHashPool } from '../../ledger/index.ts';
import { createChainReader, createChainWriter } from '../../lib/chain.ts';
import { loadConfig, testServices } from '../../lib/config.ts';
import { Storage } from '../../lib/storage.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { verifyBundleWeb } from '../../web/verify-core.ts';
import { auditLedger } from '../audit.ts';
import { deployOneHeart } from '../deploy.ts';
import { bundleForEntry } from '../proof-bundle.ts';
import { AlreadySeededError, seedDemo, type SeedOptions, type SeedResult } from './seed.ts';
import { generateWorld } from './world.ts';
import { walkthrough } from '../demo.ts';

// Hardhat dev account #10 (standard mnemonic; public): this file's deployer and anchorer.
const KEY: Hex = '0xf214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897';

describe('demo seeding', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let storage: Storage;
  let opts: SeedOptions;
  let result: SeedResult;
  before(async () => {
    const s = testServices();
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    const config = loadConfig({ ...s, DATABASE_URL: db.url, S3_BUCKET: `oneheart-demo-seed-${Date.now()}` });
    storage = new Storage(config);
    await storage.ensureBucket();
    const dep = await deployOneHeart({ rpcUrl: s.RPC_URL, deployerPrivateKey: KEY, outDir: await mkdtemp(path.join(os.tmpdir(), 'oh-dep-')) });
    opts = {
      pool, storage, config, reader: createChainReader(s.RPC_URL), writer: createChainWriter(s.RPC_URL, KEY),
      anchor: dep.contracts.LedgerAnchor.address as Address, seed: 7, players: 25, actions: 120,
    };
    result = await seedDemo(opts);
  });
  after(async () => {
    await pool.end();
    storage.destroy();
    await db.drop();
    await closeDefaultHashPool();
  });

  it('generates the same world for the same seed and another for another seed', () => {
    const o = { seed: 7, players: 25, actions: 120, from: new Date(Date.UTC(2026, 0, 1)), to: new Date(Date.UTC(2026, 0, 20)) };
    assert.deepEqual(generateWorld(o), generateWorld(o));
    assert.notDeepEqual(generateWorld(o).players.map((p) => p.address), generateWorld({ ...o, seed: 8 }).players.map((p) => p.address));
    const w = generateWorld(o);
    assert.ok(new Set(w.zones.map((z) => z.country)).size >= 3);
    assert.ok(w.actions.every((a, i) => i === 0 || (w.actions[i - 1] as { at: Date }).at <= a.at), 'actions in time order');
  });

  it('writes approved deeds through applyImpact and keeps rejected cheats off the ledger', async () => {
    assert.equal(result.approved + result.rejected, 120);
    assert.ok(result.rejected > 0, 'some cheats were rejected');
    assert.equal(result.entries, result.approved);
    const q = async (sql: string) => (await pool.query(sql)).rows[0] as Record<string, number>;
    assert.deepEqual(await q(`SELECT count(*)::int AS n FROM ledger_entries`), { n: result.approved });
    assert.deepEqual(await q(`SELECT count(*)::int AS n FROM actions WHERE status = 'approved'`), { n: result.approved });
    assert.deepEqual(await q(`SELECT count(*)::int AS n FROM actions a JOIN verification_results v ON v.action_id = a.id
      WHERE a.status = 'rejected' AND v.decision = 'reject' AND cardinality(v.flags) > 0`), { n: result.rejected });
    assert.deepEqual(await q(`SELECT count(*)::int AS n FROM ledger_entries l JOIN verification_results v USING (action_id) WHERE v.decision <> 'approve'`), { n: 0 });
    // player stats equal the sums of their ledger entries
    assert.deepEqual(await q(`SELECT count(*)::int AS n FROM players p LEFT JOIN (SELECT player_address, sum(xp) AS xp, sum(heart) AS heart FROM ledger_entries GROUP BY 1) l
      ON l.player_address = p.address WHERE p.xp <> coalesce(l.xp, 0) OR p.heart_earned <> coalesce(l.heart, 0)`), { n: 0 });
    assert.deepEqual(await q(`SELECT count(*)::int AS n FROM sponsors`), { n: 4 });
  });

  it('closes two consecutive months, anchored on chain, and the audit passes', async () => {
    const [e1, e2] = result.epochs;
    assert.equal(e1?.epoch, 1);
    assert.equal(e2?.epoch, 2);
    assert.ok(e1 && e2 && e1.treeSize > 0 && e2.treeSize > e1.treeSize, `epoch sizes ${e1?.treeSize} < ${e2?.treeSize}`);
    assert.equal(e2.month, new Date(Date.UTC(Number(e1.month.slice(0, 4)), Number(e1.month.slice(5)), 1)).toISOString().slice(0, 7));
    assert.deepEqual(await auditLedger(opts), { ok: true, entries: result.approved, epochs: 2 });
    const r = await verifyBundleWeb(await bundleForEntry(opts, result.sampleSeq), opts.reader);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.entry.player, result.sampleAddress);
    const text = walkthrough(result, { api: 'http://127.0.0.1:3000', rpc: 'http://rpc', s3: 'http://s3', bucket: 'b', bundleFile: '.data/demo-bundle.json' });
    assert.match(text, new RegExp(`/verify\\?seq=${result.sampleSeq}`));
    assert.match(text, /npm run verify -- \.data\/demo-bundle\.json --rpc http:\/\/rpc/);
  });

  it('refuses to seed twice', async () => {
    await assert.rejects(seedDemo(opts), AlreadySeededError);
    assert.deepEqual((await pool.query('SELECT count(*)::int AS n FROM players')).rows[0], { n: 29 });
  });
});
