import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { Address, Hex } from 'viem';
import { createChainReader, createChainWriter } from '../../lib/chain.ts';
import { loadConfig, testServices } from '../../lib/config.ts';
import { sha256 } from '../../lib/epoch-export.ts';
import { ledgerAnchorAbi } from '../../lib/ledger-anchor.ts';
import { appendEntry } from '../../lib/ledger-store.ts';
import { Storage } from '../../lib/storage.ts';
import { toHex, verifyInclusion, fromHex } from '../../ledger/index.ts';
import { auditLedger } from '../../scripts/audit.ts';
import { closeEpoch, type CloseEpochOptions } from '../../scripts/epoch-close.ts';
import { bundleForEntry } from '../../scripts/proof-bundle.ts';
import { buildProofBundle, verifyBundle } from '../../scripts/verify.ts';
import { buildLogTree, leafHash, proveInclusion } from '../../ledger/index.ts';
import { readEncodedRange } from '../../lib/ledger-store.ts';
import { deployOneHeart } from '../../scripts/deploy.ts';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { entryInput, seedActions } from './seed.ts';

// Hardhat dev account #5 (standard mnemonic; public): this file's deployer and anchorer.
const KEY: Hex = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba';

/** Appends one entry per action, each in its own transaction. */
export async function appendMany(pool: pg.Pool, db: TestDatabase, n: number, byte: string): Promise<void> {
  const { mission, address, actions } = await seedActions(db.sql, n, byte);
  for (const a of actions) {
    const c = await pool.connect();
    await c.query('BEGIN');
    await appendEntry(c, entryInput(a, mission, address, 10n ** 18n));
    await c.query('COMMIT');
    c.release();
  }
}

describe('closeEpoch', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let storage: Storage;
  let base: Omit<CloseEpochOptions, 'month'>;
  before(async () => {
    const s = testServices();
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    storage = new Storage(loadConfig({ ...s, DATABASE_URL: db.url, S3_BUCKET: `oneheart-epoch-close-${Date.now()}` }));
    await storage.ensureBucket();
    const dep = await deployOneHeart({ rpcUrl: s.RPC_URL, deployerPrivateKey: KEY, outDir: await mkdtemp(path.join(os.tmpdir(), 'oh-dep-')) });
    base = { pool, storage, reader: createChainReader(s.RPC_URL), writer: createChainWriter(s.RPC_URL, KEY), anchor: dep.contracts.LedgerAnchor.address as Address };
  });
  after(async () => {
    await pool.end();
    storage.destroy();
    await db.drop();
  });

  it('closes, exports and anchors; resumes after crashes; refuses bad months', async () => {
    await appendMany(pool, db, 5, '11');
    await appendMany(pool, db, 3, '22');
    const month = new Date().toISOString().slice(0, 7);
    const [y, m] = month.split('-').map(Number) as [number, number];
    const after = new Date(Date.UTC(y, m, 2));
    await assert.rejects(closeEpoch({ ...base, month }), /not over yet/);
    const prevMonth = new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 7);
    await assert.rejects(closeEpoch({ ...base, month: prevMonth, now: after }), /has no entries/);
    const nextMonth = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
    await assert.rejects(closeEpoch({ ...base, month: nextMonth, now: new Date(Date.UTC(y, m + 1, 2)) }), /skips unclosed month/);

    // crash after export, then after send; the rerun finishes with one anchored epoch
    await assert.rejects(closeEpoch({ ...base, month, now: after, stopAfter: 'export' }), /stopped after export/);
    let [row] = (await pool.query('SELECT status FROM epochs')).rows;
    assert.equal(row.status, 'exported');
    await assert.rejects(closeEpoch({ ...base, month, now: after, stopAfter: 'send' }), /stopped after send/);
    [row] = (await pool.query('SELECT status, anchor_tx_hash FROM epochs')).rows;
    assert.equal(row.status, 'anchoring');
    const res = await closeEpoch({ ...base, month, now: after });
    assert.equal(res.status, 'anchored');
    assert.equal(res.treeSize, 8);
    assert.equal(res.txHash, row.anchor_tx_hash);
    const again = await closeEpoch({ ...base, month, now: after });
    assert.equal(again.status, 'already-closed');
    const { rows } = await pool.query('SELECT * FROM epochs');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, 'anchored');

    // on-chain record and export agree
    const rec = await base.reader.readContract({ address: base.anchor, abi: ledgerAnchorAbi, functionName: 'epochRecord', args: [1n] });
    assert.equal(rec.treeSize, 8n);
    assert.equal(rec.logRoot, toHex(rows[0].log_root));
    const manifestBytes = await storage.get('epochs/1/manifest.json');
    assert.ok(await base.reader.readContract({ address: base.anchor, abi: ledgerAnchorAbi, functionName: 'verifyExport', args: [1n, res.exportUri, toHex(sha256(manifestBytes))] }));
    const manifest = JSON.parse(new TextDecoder().decode(manifestBytes));
    for (const [name, f] of Object.entries(manifest.files) as [string, { sha256: string }][]) {
      assert.equal(toHex(sha256(await storage.get(`epochs/1/${name}`))).slice(2), f.sha256, name);
    }
    const proofs = new TextDecoder().decode(await storage.get('epochs/1/inclusion-proofs.jsonl')).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(proofs.length, 8);
    for (const p of proofs) assert.ok(verifyInclusion(fromHex(p.leafHash), p.seq, 8, p.proof.map((h: string) => fromHex(h)), fromHex(rec.logRoot)));
    const claims = JSON.parse(new TextDecoder().decode(await storage.get('epochs/1/claims.json')));
    assert.deepEqual(claims.claims.map((c: { cumulativeAmount: string }) => c.cumulativeAmount), ['5000000000000000000', '3000000000000000000']);
    assert.equal(claims.rewardsRoot, rec.rewardsRoot);
  });

  it('audit passes on the closed ledger and names the first divergence after tampering', async () => {
    assert.deepEqual(await auditLedger(base), { ok: true, entries: 8, epochs: 1 });
    // tampered S3 manifest
    const original = await storage.get('epochs/1/manifest.json');
    await storage.put('epochs/1/manifest.json', new TextEncoder().encode(new TextDecoder().decode(original).replace('"treeSize": 8', '"treeSize": 9')), 'application/json');
    const r1 = await auditLedger(base);
    assert.equal(r1.ok, false);
    assert.match(r1.ok ? '' : `${r1.where}: ${r1.reason}`, /^epoch 1 .*S3 manifest SHA-256/);
    await storage.put('epochs/1/manifest.json', original, 'application/json');
    assert.equal((await auditLedger(base)).ok, true);
    // a copy of the ledger where entry 3's encoding differs (rows inserted directly: the table forbids UPDATE)
    const copy = await freshDatabase();
    const copyPool = new pg.Pool({ connectionString: copy.url, max: 2 });
    try {
      await copy.sql.query('ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_action_id_fkey');
      const { rows } = await pool.query('SELECT * FROM ledger_entries ORDER BY seq');
      for (const r of rows) {
        const enc = Buffer.from(r.encoded);
        if (Number(r.seq) === 3) enc[96] = (enc[96] as number) ^ 1; // xp
        await copy.sql.query(`INSERT INTO ledger_entries (seq, action_id, prev_hash, entry_hash, encoded, player_address, xp, heart, impact_credits,
          fund_local_bps, fund_national_bps, fund_global_bps, formula_version, model_version, score, evidence_commitment, created_at)
          SELECT seq, action_id, prev_hash, entry_hash, $2, player_address, xp, heart, impact_credits, fund_local_bps, fund_national_bps,
          fund_global_bps, formula_version, model_version, score, evidence_commitment, created_at FROM json_populate_record(null::ledger_entries, $1::json)`,
        [JSON.stringify({ ...r, prev_hash: '\\x' + r.prev_hash.toString('hex'), entry_hash: '\\x' + r.entry_hash.toString('hex'), encoded: null, evidence_commitment: '\\x' + r.evidence_commitment.toString('hex') }), enc]);
      }
      const r2 = await auditLedger({ ...base, pool: copyPool });
      assert.equal(r2.ok, false);
      assert.match(r2.ok ? '' : `${r2.where}: ${r2.reason}`, /^entry seq 3: entry_hash/);
    } finally {
      await copyPool.end();
      await copy.drop();
    }
  });

  it('verify accepts a bundle built from the ledger and rejects a wrong one naming the field', async () => {
    const c = await pool.connect();
    const encoded = await readEncodedRange(c, 0, 8).finally(() => c.release());
    const tree = await buildLogTree(Buffer.concat(encoded.map((e) => leafHash(e))));
    const chainId = await base.reader.getChainId();
    const bundle = buildProofBundle({ chainId, ledgerAnchor: base.anchor, epoch: 1, treeSize: 8, seq: 5, encoded: encoded[5] as Uint8Array, inclusionProof: proveInclusion(tree, 5) });
    assert.deepEqual(await bundleForEntry(base, 5), bundle, 'the operator command builds the same bundle');
    await assert.rejects(bundleForEntry(base, 8), /no anchored epoch contains entry 8/);
    const okResult = await verifyBundle(JSON.parse(JSON.stringify(bundle)), base.reader);
    assert.equal(okResult.ok, true, JSON.stringify(okResult));
    const wrong = async (patch: object) => verifyBundle({ ...bundle, ...patch }, base.reader);
    assert.deepEqual(await wrong({ entry: { seq: 5, encoded: toHex(encoded[4] as Uint8Array) } }).then((r) => !r.ok && r.field), 'entry.seq');
    const flipped = Buffer.from(encoded[5] as Uint8Array); flipped[100] = (flipped[100] as number) ^ 1;
    assert.deepEqual(await wrong({ entry: { seq: 5, encoded: toHex(flipped) } }).then((r) => !r.ok && r.field), 'inclusionProof');
    assert.deepEqual(await wrong({ treeSize: 9 }).then((r) => !r.ok && r.field), 'treeSize');
    assert.deepEqual(await wrong({ epoch: 7 }).then((r) => !r.ok && r.field), 'epoch');
    assert.deepEqual(await wrong({ inclusionProof: ['0x12'] }).then((r) => !r.ok && r.field), 'inclusionProof');
  });
});
