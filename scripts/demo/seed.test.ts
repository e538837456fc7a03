// The demo seeder on real services (small world): deterministic world, entries through applyImpact
// (hash chain, player stats), rejected cheats off the ledger, two anchored epochs, audit clean,
// a verifiable sample entry, a marketplace with stock and redemptions fulfilled through the chain and
// the indexer, and a refused second run.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Address, Hex } from 'viem';
import { closeDefaultHashPool } from '../../ledger/index.ts';
import { Indexer } from '../../indexer/sync.ts';
import { createChainReader, createChainWriter, loadDeployments } from '../../lib/chain.ts';
import { loadConfig, testServices } from '../../lib/config.ts';
import { Storage } from '../../lib/storage.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { verifyBundleWeb } from '../../web/verify-core.ts';
import { auditLedger } from '../audit.ts';
import { deployOneHeart } from '../deploy.ts';
import { bundleForEntry } from '../proof-bundle.ts';
import { DEMO_REWARDS } from './marketplace.ts';
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
  let outDir: string;
  before(async () => {
    const s = testServices();
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    const config = loadConfig({ ...s, DATABASE_URL: db.url, S3_BUCKET: `oneheart-demo-seed-${Date.now()}` });
    storage = new Storage(config);
    await storage.ensureBucket();
    outDir = await mkdtemp(path.join(os.tmpdir(), 'oh-dep-'));
    const dep = await deployOneHeart({ rpcUrl: s.RPC_URL, deployerPrivateKey: KEY, outDir });
    opts = {
      pool, storage, config, reader: createChainReader(s.RPC_URL), writer: createChainWriter(s.RPC_URL, KEY),
      anchor: dep.contracts.LedgerAnchor.address as Address, seed: 7, players: 25, actions: 120,
      contracts: { heartToken: dep.contracts.HeartToken.address as Address, distributor: dep.contracts.RewardDistributor.address as Address },
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
    for (const page of ['nation', 'policy', 'sponsor', 'review']) assert.match(text, new RegExp(`http://127\\.0\\.0\\.1:3000/dashboard/${page} `));
    assert.match(text, /marketplace +http:\/\/127\.0\.0\.1:3000\/api\/reward\/marketplace \(4 rewards/);
    assert.equal(text.match(/redeemed +.+ by 0x[0-9a-f]{40}, burn tx 0x[0-9a-f]{64}/g)?.length, 2);
  });

  it('stocks the marketplace; two players claim Heart, reserve and burn on chain, and the indexer fulfils them', async () => {
    const rewards = (await pool.query('SELECT title, partner, cost_heart::text AS cost, stock FROM rewards ORDER BY cost_heart')).rows;
    assert.deepEqual(rewards.map((r) => r.title), DEMO_REWARDS.map((r) => r[0]));
    assert.ok(rewards.every((r) => r.partner !== '' && r.stock > 0));
    const { redemptions } = result.marketplace;
    assert.equal(redemptions.length, 2);
    assert.equal(new Set(redemptions.map((r) => r.player)).size, 2);
    const stock = (title: string) => DEMO_REWARDS.find((r) => r[0] === title)![4] - rewards.find((r) => r.title === title)!.stock;
    for (const title of new Set(redemptions.map((r) => r.reward))) assert.equal(stock(title), redemptions.filter((r) => r.reward === title).length, `${title}: stock held`);

    const deployments = (await loadDeployments(outDir, await opts.reader.getChainId()))!;
    await new Indexer({ client: opts.reader, pool, deployments, confirmations: 0, finalityDepth: 64, maxBlockRange: 1000, concurrency: 3 }).syncToHead();
    const rows = (await pool.query(`SELECT id, status, burn_tx_hash, amount::text FROM redemptions ORDER BY id`)).rows;
    assert.deepEqual(rows, [...redemptions].sort((a, b) => a.redemptionId.localeCompare(b.redemptionId))
      .map((r) => ({ id: r.redemptionId, status: 'fulfilled', burn_tx_hash: r.burnTxHash, amount: r.amount })));
    assert.deepEqual((await pool.query(`SELECT count(*)::int AS n FROM chain_events WHERE event_name = 'Claimed'`)).rows[0], { n: 2 });
  });

  it('refuses to seed twice', async () => {
    await assert.rejects(seedDemo(opts), AlreadySeededError);
    assert.deepEqual((await pool.query('SELECT count(*)::int AS n FROM players')).rows[0], { n: 29 });
  });
});
