import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { toHex } from '../../ledger/index.ts';
import { appendEntry } from '../../lib/ledger-store.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { entryInput, seedActions } from '../../test/ledger/seed.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../testing.ts';

describe('government oversight API', () => {
  let db: TestDatabase;
  let t: TestApp;
  let pool: pg.Pool;
  let auditor: string;
  let player: string;
  const month = new Date().toISOString().slice(0, 7);
  const heart = (n: number) => BigInt(n) * 10n ** 17n;

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const w = newWallet();
    await db.sql.query(`UPDATE players SET role = 'auditor' WHERE id = $1`, [(await signIn(t, w)).player.id]);
    auditor = (await signIn(t, w)).accessToken;
    player = (await signIn(t)).accessToken;
    // zone A: 3 entries of 0.1, 0.2, 0.3 Heart; zone B: 2 entries of 0.5 Heart
    for (const [byte, amounts] of [['a1', [1, 2, 3]], ['b2', [5, 5]]] as const) {
      const { mission, address, actions } = await seedActions(db.sql, amounts.length, byte);
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        for (const [i, a] of actions.entries()) await appendEntry(c, entryInput(a, mission, address, heart(amounts[i]!)));
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    }
  });
  after(async () => {
    await pool.end();
    await t.close();
    await db.drop();
  });

  const get = (url: string, token?: string) => t.app.inject({ method: 'GET', url, ...(token ? { headers: bearer(token) } : {}) });

  it('nation dashboard aggregates the ledger by bucket, zone and month; auditors and admins only', async () => {
    assert.equal((await get('/api/government/nation-dashboard')).statusCode, 401);
    assert.equal((await get('/api/government/nation-dashboard', player)).statusCode, 403);
    const res = await get('/api/government/nation-dashboard', auditor);
    assert.equal(res.statusCode, 200, res.body);
    const d = res.json();
    assert.equal(d.players, 4, 'two signed-in wallets and two seeded players');
    assert.equal(d.actions, 5);
    assert.deepEqual(d.totals, { entries: 5, heart: heart(16).toString(), impactCredits: '7.5000' });
    assert.deepEqual(d.funds, { local: (heart(16) * 6n / 10n).toString(), national: (heart(16) * 3n / 10n).toString(), global: (heart(16) / 10n).toString() });
    assert.deepEqual(d.byZone.map((z: { entries: number; heart: string; countryCode: string }) => [z.entries, z.heart, z.countryCode]),
      [[2, heart(10).toString(), 'KE'], [3, heart(6).toString(), 'KE']]);
    assert.deepEqual(d.byMonth, [{ month, entries: 5, heart: heart(16).toString(), impactCredits: '7.5000' }]);
  });

  it("exports a month's entries as JSON and CSV with the epoch's roots and anchor tx", async () => {
    assert.equal((await get(`/api/government/export?month=${month}`, player)).statusCode, 403);
    const before = (await get(`/api/government/export?month=${month}&format=json`, auditor)).json();
    assert.equal(before.epoch, null, 'month not closed yet');
    assert.equal(before.entries.length, 5);
    assert.equal(before.entries[0].anchor_tx_hash, null);

    const logRoot = Buffer.alloc(32, 0xab);
    const rewardsRoot = Buffer.alloc(32, 0xcd);
    const tx = `0x${'12'.repeat(32)}`;
    await db.sql.query(`INSERT INTO epochs (epoch, month, status, tree_size, log_root, rewards_root, anchor_tx_hash) VALUES (1, $1, 'anchored', 5, $2, $3, $4)`, [month, logRoot, rewardsRoot, tx]);
    const res = await get(`/api/government/export?month=${month}`, auditor);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = res.json();
    assert.deepEqual(body.epoch, { epoch: 1, status: 'anchored', logRoot: toHex(logRoot), rewardsRoot: toHex(rewardsRoot), anchorTxHash: tx });
    assert.deepEqual(body.entries.map((e: { seq: string }) => e.seq), ['0', '1', '2', '3', '4']);
    const ledger = (await db.sql.query('SELECT entry_hash FROM ledger_entries WHERE seq = 3')).rows[0].entry_hash as Buffer;
    assert.equal(body.entries[3].entry_hash, toHex(ledger));
    assert.equal(body.entries[3].heart, heart(5).toString());
    assert.deepEqual([body.entries[3].log_root, body.entries[3].anchor_tx_hash], [toHex(logRoot), tx]);

    const csv = await get(`/api/government/export?month=${month}&format=csv`, auditor);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), new RegExp(`oneheart-ledger-${month}\\.csv`));
    const lines = csv.body.trim().split('\n').map((l) => l.split(','));
    const header = lines[0]!;
    assert.equal(lines.length, 6);
    const col = (name: string) => header.indexOf(name);
    assert.deepEqual(lines.slice(1).map((l) => l[col('seq')]), ['0', '1', '2', '3', '4']);
    assert.equal(lines[4]![col('entry_hash')], toHex(ledger));
    assert.equal(lines[4]![col('anchor_tx_hash')], tx);
    assert.equal(lines[4]![col('epoch')], '1');

    const empty = (await get('/api/government/export?month=2020-01', auditor)).json();
    assert.deepEqual(empty, { month: '2020-01', epoch: null, entries: [] });
    for (const q of ['month=2026-13', 'month=2026-1', 'format=csv', `month=${month}&format=xml`]) {
      const bad = await get(`/api/government/export?${q}`, auditor);
      assert.equal(bad.statusCode, 400, q);
      assert.equal(bad.json().error.code, 'VALIDATION_FAILED');
    }
  });
});
