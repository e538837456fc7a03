import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import type { Address, Hex } from 'viem';
import { buildLogTree, closeDefaultHashPool, leafHash, logRoot } from '../ledger/index.ts';
import { createChainReader, createChainWriter } from '../lib/chain.ts';
import { loadConfig, testServices } from '../lib/config.ts';
import { appendEntry, readEncodedRange } from '../lib/ledger-store.ts';
import { Storage } from '../lib/storage.ts';
import { testApp } from '../api/testing.ts';
import { initialState, monitorOnce } from '../scripts/log-monitor.ts';
import { closeEpoch } from '../scripts/epoch-close.ts';
import { deployOneHeart } from '../scripts/deploy.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { entryInput, seedActions } from '../test/ledger/seed.ts';
import { verifyAnchoredEntry } from './anchored-entry.ts';
import { LogClient, LogError } from './client.ts';
import { concat } from './hash.ts';
import { IMMUTABLE, publishLog, signerFromConfig, SHORT_LIVED } from './publisher.ts';
import type { PublishOptions } from './publisher.ts';

// Hardhat dev account #7 (standard mnemonic; public): this file's deployer and anchorer.
const KEY: Hex = '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356';
const ORIGIN = 'oneheart.test/ledger';

async function append(pool: pg.Pool, db: TestDatabase, n: number, byte: string): Promise<void> {
  const { mission, address, actions } = await seedActions(db.sql, n, byte);
  const c = await pool.connect();
  try {
    for (const a of actions) {
      await c.query('BEGIN');
      await appendEntry(c, entryInput(a, mission, address, 10n ** 18n));
      await c.query('COMMIT');
    }
  } finally {
    c.release();
  }
}

async function listAll(storage: Storage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await storage.client.send(new ListObjectsV2Command({ Bucket: storage.bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = out.NextContinuationToken;
  } while (token);
  return keys.sort();
}

describe('tiled log: publisher, client and monitor on real Postgres + S3', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let storage: Storage;
  let fresh: Storage;
  let base: Omit<PublishOptions, 'storage'> & { storage: Storage };
  let vkey: string;
  let endpoint: string;
  const newClient = (bucket = storage.bucket) => LogClient.create({ baseUrl: `${endpoint}/${bucket}/log/`, vkey, origin: ORIGIN });
  const rootOf = async (size: number) => logRoot(await buildLogTree(concat(...(await readEncodedRange(pool, 0, size)).map(leafHash))), size);

  before(async () => {
    const s = testServices();
    endpoint = s.S3_ENDPOINT.replace(/\/+$/, '');
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    const config = loadConfig({ ...s, DATABASE_URL: db.url, S3_BUCKET: `oneheart-tlog-${Date.now()}`, TLOG_ORIGIN: ORIGIN });
    storage = new Storage(config);
    fresh = new Storage({ ...config, S3_BUCKET: `${config.S3_BUCKET}-rebuild` });
    await storage.ensureBucket();
    await fresh.ensureBucket();
    const signer = await signerFromConfig(config);
    vkey = signer.vkey;
    base = { pool, storage, signer, origin: ORIGIN, batch: 100 };
  });
  after(async () => {
    await pool.end();
    storage.destroy();
    fresh.destroy();
    await db.drop();
    await closeDefaultHashPool();
  });

  it('publishes incrementally and idempotently; a rebuild into a fresh bucket is byte-identical', async () => {
    const empty = await publishLog(base);
    assert.equal(empty.size, 0);
    await append(pool, db, 100, '11');
    const r100 = await publishLog(base);
    assert.deepEqual([r100.previousSize, r100.size], [0, 100]);
    assert.deepEqual(r100.root, await rootOf(100));
    const again = await publishLog(base);
    assert.equal(again.objectsWritten, 0);
    assert.equal(again.checkpoint, r100.checkpoint);
    await append(pool, db, 200, '22');
    const r300 = await publishLog({ ...base, upTo: 300 });
    assert.deepEqual(r300.root, await rootOf(300));
    await append(pool, db, 290, '33');
    const r590 = await publishLog(base);
    assert.equal(r590.size, 590);
    assert.deepEqual(r590.root, await rootOf(590));
    // an earlier size (as for an epoch the log already passed): its own signed checkpoint, main checkpoint untouched
    const r200 = await publishLog({ ...base, upTo: 200, alsoAt: 'epochs/9/checkpoint', expectRoot: await rootOf(200) });
    assert.deepEqual(r200.root, await rootOf(200));
    assert.equal(new TextDecoder().decode(await storage.get('log/checkpoint')), r590.checkpoint);
    await assert.rejects(publishLog({ ...base, upTo: 200, expectRoot: await rootOf(201) }), /expected/);
    await assert.rejects(publishLog({ ...base, upTo: 10_000 }), /ledger has 590 entries/);

    const rebuilt = await publishLog({ ...base, storage: fresh });
    assert.equal(rebuilt.checkpoint, r590.checkpoint);
    const keys = await listAll(fresh, 'log/');
    assert.ok(keys.includes('log/tile/0/001') && keys.includes('log/tile/0/002.p/78') && keys.includes('log/tile/1/000.p/2') && keys.includes('log/tile/entries/002.p/78'), keys.join(' '));
    for (const k of keys) assert.deepEqual(await storage.get(k), await fresh.get(k), k);
    const head = async (k: string) => (await storage.client.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: k }))).CacheControl;
    assert.equal(await head('log/tile/0/000'), IMMUTABLE);
    assert.equal(await head('log/tile/entries/000'), IMMUTABLE);
    assert.equal(await head('log/tile/0/002.p/78'), SHORT_LIVED);
    assert.equal(await head('log/checkpoint'), SHORT_LIVED);
    assert.equal(new TextDecoder().decode(await storage.get('log/vkey')).trim(), vkey);
  });

  it('client verifies entries over HTTP from only the tiles it needs, and consistency between checkpoints', async () => {
    const client = await newClient();
    const cp = await client.checkpoint();
    assert.equal(cp.size, 590);
    for (const i of [0, 1, 255, 256, 299, 512, 589]) {
      const before = client.fetches;
      const v = await client.verifyEntry(i, { checkpoint: cp, trusted: { size: 300, root: await rootOf(300) } }).catch((err: unknown) => {
        if (i >= 300 && /beyond the trusted root/.test((err as Error).message)) return null;
        throw err;
      });
      if (v) assert.deepEqual(v.entry, (await readEncodedRange(pool, i, i + 1))[0]);
      assert.ok(client.fetches - before <= 6, `entry ${i}: ${client.fetches - before} fetches`);
    }
    await client.verifyEntry(589, { trusted: { size: 590, root: await rootOf(590) } });
    // a cold client needs the entry bundle plus one tile per level (tile/0/000, tile/0/002.p/78, tile/1/000.p/2)
    const cold = await newClient();
    await cold.verifyEntry(0, { checkpoint: cp });
    assert.equal(cold.fetches, 4);
    await assert.rejects(client.verifyEntry(5, { trusted: { size: 300, root: await rootOf(299) } }), LogError);
    await client.verifyConsistent({ origin: ORIGIN, size: 100, root: await rootOf(100) }, cp);
    await assert.rejects(client.verifyConsistent({ origin: ORIGIN, size: 100, root: await rootOf(101) }, cp), /not a prefix/);
    const epochCp = await client.checkpoint('epochs/9/checkpoint');
    assert.equal(epochCp.size, 200);
    await client.verifyConsistent(epochCp, cp);
    // monitor over the whole log, then again with nothing new
    const state = await monitorOnce(await initialState(), { client });
    assert.equal(state.size, 590);
    assert.equal((await monitorOnce(state, { client })).size, 590);
  });

  it('detects a tampered tile byte, checkpoint line and entry bundle (client and monitor)', async () => {
    const tamper = async (key: string, edit: (b: Uint8Array) => Uint8Array, check: () => Promise<void>) => {
      const original = await storage.get(key);
      await storage.put(key, edit(original.slice()), 'application/octet-stream');
      try {
        await check();
      } finally {
        await storage.put(key, original, 'application/octet-stream');
      }
    };
    const flip = (at: number) => (b: Uint8Array) => { b[at] = (b[at] as number) ^ 1; return b; };
    const monitor = async () => monitorOnce(await initialState(), { client: await newClient() });
    await tamper('log/tile/0/000', flip(32 * 7 + 3), async () => {
      await assert.rejects((await newClient()).verifyEntry(6), /does not match the signed checkpoint root/);
      await assert.rejects(monitor(), /tile\/0\/000 does not match the hashes of the entry bundles/);
    });
    await tamper('log/tile/1/000.p/2', flip(40), async () => {
      await assert.rejects((await newClient()).verifyEntry(6), LogError);
      await assert.rejects(monitor(), /tile\/1\/000\.p\/2 does not match/);
    });
    await tamper('log/checkpoint', (b) => new TextEncoder().encode(new TextDecoder().decode(b).replace('\n590\n', '\n591\n')), async () => {
      await assert.rejects((await newClient()).checkpoint(), /does not verify/);
      await assert.rejects(monitor(), /does not verify/);
    });
    await tamper('log/tile/entries/001', flip(100), async () => {
      await assert.rejects((await newClient()).verifyEntry(256), /does not match the signed checkpoint root/);
      await (await newClient()).verifyEntry(300); // other entries of the bundle still verify
      await assert.rejects(monitor(), /does not match the hashes of the entry bundles/);
    });
    await monitor(); // restored: consistent again
  });

  it('closeEpoch publishes the epoch checkpoint; the monitor checks it against the on-chain anchor', async () => {
    const s = testServices();
    const outDir = await mkdtemp(path.join(os.tmpdir(), 'oh-tlog-'));
    const dep = await deployOneHeart({ rpcUrl: s.RPC_URL, deployerPrivateKey: KEY, outDir });
    const reader = createChainReader(s.RPC_URL);
    const anchor = dep.contracts.LedgerAnchor.address as Address;
    const month = new Date().toISOString().slice(0, 7);
    const [y, m] = month.split('-').map(Number) as [number, number];
    const res = await closeEpoch({
      pool, storage, reader, writer: createChainWriter(s.RPC_URL, KEY), anchor, month, now: new Date(Date.UTC(y, m, 2)),
      tlog: { signer: base.signer, origin: ORIGIN },
    });
    assert.equal(res.treeSize, 590);
    const client = await newClient();
    const epochCp = await client.checkpoint('epochs/1/checkpoint');
    assert.equal(epochCp.size, 590);
    const state = await monitorOnce(await initialState(), { client, reader, anchor });
    assert.equal(state.epochsChecked, 1);
    // a signed epoch checkpoint that disagrees with the chain is reported
    const original = await storage.get('log/epochs/1/checkpoint');
    await storage.put('log/epochs/1/checkpoint', await storage.get('log/epochs/9/checkpoint'), 'text/plain; charset=utf-8');
    await assert.rejects(monitorOnce(await initialState(), { client: await newClient(), reader, anchor }), /signed checkpoint of epoch 1 \(size 200\) differs from the on-chain anchor \(size 590\)/);
    await storage.put('log/epochs/1/checkpoint', original, 'text/plain; charset=utf-8');

    // the CLI: exit 0 on a consistent log, 1 with a clear message on an inconsistent one
    const cli = (extra: string[] = []) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/log-monitor.ts', `${endpoint}/${storage.bucket}/log`,
      '--rpc', s.RPC_URL, '--anchor', anchor, '--vkey', vkey, '--origin', ORIGIN, '--once', ...extra], { encoding: 'utf8', timeout: 60_000 });
    const ok = cli();
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /log-monitor: OK at size 590 .*1 epoch\(s\) checked/);
    const tile = await storage.get('log/tile/0/001');
    await storage.put('log/tile/0/001', tile.map((b, i) => (i === 0 ? b ^ 0xff : b)), 'application/octet-stream');
    const bad = cli();
    await storage.put('log/tile/0/001', tile, 'application/octet-stream');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /log-monitor: INCONSISTENT LOG: tile\/0\/001 does not match the hashes of the entry bundles/);

    // `npm run verify -- --log`: the log's static files and the chain, nothing else
    // (asynchronous: the API answering --entry-hash lookups below runs in this process)
    const verify = (...args: string[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/verify.ts', '--log', `${endpoint}/${storage.bucket}/log`,
        '--rpc', s.RPC_URL, '--anchor', anchor, '--vkey', vkey, '--origin', ORIGIN, ...args], { timeout: 60_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    const good = await verify('--entry', '300');
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /OK: entry 300 \(entry hash 0x[0-9a-f]{64}\) is in the signed checkpoint of oneheart\.test\/ledger at size 590/);
    assert.match(good.stdout, /OK: and in on-chain epoch 1 \(tree size 590, log root 0x[0-9a-f]{64}, read from LedgerAnchor/);
    await storage.put('log/tile/0/001', tile.map((b, i) => (i === 64 ? b ^ 1 : b)), 'application/octet-stream');
    const tampered = await verify('--entry', '300');
    await storage.put('log/tile/0/001', tile, 'application/octet-stream');
    assert.equal(tampered.status, 1);
    assert.match(tampered.stderr, /REJECTED: entry 300: inclusion proof from the tiles does not match the signed checkpoint root/);
    const usage = await verify('--entry', 'x');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--entry: x is not an entry index/);
    // the same checks in-process (the CLI only prints them)
    const logClient = await newClient();
    await assert.rejects(verifyAnchoredEntry({ client: logClient, index: 590, reader, anchor }), /entry 590 is beyond the checkpoint \(size 590\)/);
    const anchoredEntry = await verifyAnchoredEntry({ client: logClient, index: 7, reader, anchor });
    assert.deepEqual([anchoredEntry.anchored?.epoch, anchoredEntry.anchored?.treeSize], [1, 590]);
    // entries published after the epoch: in the log, not anchored yet
    await append(pool, db, 5, '44');
    await publishLog(base);
    const pending = await verifyAnchoredEntry({ client: await newClient(), index: 592, reader, anchor });
    assert.deepEqual([pending.anchored, pending.anchoredSize, pending.checkpoint.size], [null, 590, 595]);
    // by entry hash: the API gives the index, the CLI checks the hash against the entry the log serves
    const api = await testApp(db.url, { DEPLOYMENTS_DIR: outDir });
    try {
      const apiUrl = await api.app.listen({ port: 0, host: '127.0.0.1' });
      const hash = `0x${createHash('sha256').update((await readEncodedRange(pool, 42, 43))[0] as Uint8Array).digest('hex')}`;
      const byHash = await verify('--entry-hash', hash, '--api', apiUrl);
      assert.equal(byHash.status, 0, byHash.stderr);
      assert.match(byHash.stdout, new RegExp(`OK: entry 42 \\(entry hash ${hash}\\)`));
      const unknown = await verify('--entry-hash', `0x${'ab'.repeat(32)}`, '--api', apiUrl);
      assert.equal(unknown.status, 1);
      assert.match(unknown.stderr, /no ledger entry has entry hash 0xabab/);
      assert.match((await verify('--entry-hash', hash)).stderr, /--entry-hash needs --api/);
    } finally {
      await api.close();
    }
  });
});
