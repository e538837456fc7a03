import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { FORMULA_V1 } from '../impact/formula.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { seedLedgerHistory } from '../../simulate/testing.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../testing.ts';

const CAMPAIGN = `0x${'ab'.repeat(32)}`;

describe('POST /simulate/policy', () => {
  let db: TestDatabase;
  let t: TestApp;
  let auditor: string;
  let player: string;
  let zoneA: string;
  let entries: number;

  const ledgerState = async () => (await db.sql.query(
    `SELECT count(*)::int AS n, (SELECT encode(entry_hash, 'hex') FROM ledger_entries ORDER BY seq DESC LIMIT 1) AS head FROM ledger_entries`)).rows[0] as { n: number; head: string };

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    const w = newWallet();
    await db.sql.query(`UPDATE players SET role = 'auditor' WHERE id = $1`, [(await signIn(t, w)).player.id]);
    auditor = (await signIn(t, w)).accessToken;
    player = (await signIn(t)).accessToken;
    const seeded = await seedLedgerHistory(db.sql, '2026-01', 4, [
      { name: 'Nairobi river', countryCode: 'KE', multiplier: '1.000', missionType: 'cleanup' },
      { name: 'Kampala hills', countryCode: 'UG', multiplier: '1.500', missionType: 'planting' },
    ], (z, m) => 3 + z + m);
    zoneA = seeded.zoneIds[0]!;
    entries = seeded.entries;
    // one sponsor deposit of 1,000,000 base units to a campaign in zone A, split 60/30/10 by the pool; 50,000 disbursed from local
    const sponsor = randomUUID();
    await db.sql.query(`INSERT INTO sponsors (id, name, address) VALUES ($1, 'S', $2)`, [sponsor, `0x${'5'.repeat(40)}`]);
    await db.sql.query(`INSERT INTO campaigns (id, sponsor_id, zone_id, name, onchain_id) VALUES ($1, $2, $3, 'C', $4)`, [randomUUID(), sponsor, zoneA, CAMPAIGN]);
    await db.sql.query(
      `INSERT INTO chain_events (chain_id, block_number, block_hash, tx_hash, log_index, contract, event_name, args)
       VALUES (31337, 5, $1, $1, 0, $2, 'Funded', $3::jsonb)`,
      [`0x${'01'.repeat(32)}`, `0x${'6'.repeat(40)}`, JSON.stringify({ sponsor: `0x${'5'.repeat(40)}`, campaignId: CAMPAIGN, zoneId: `0x${'00'.repeat(32)}`, amount: '1000000', local: '600000', national: '300000', global: '100000' })]);
    await db.sql.query(`INSERT INTO pool_bucket_balances (bucket, funded, disbursed, block_number) VALUES ('local', 600000, 50000, 6), ('national', 300000, 0, 5), ('global', 100000, 0, 5)`);
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const simulate = (payload: unknown, token: string | null = auditor) =>
    t.app.inject({ method: 'POST', url: '/simulate/policy', payload: payload as object, ...(token ? { headers: bearer(token) } : {}) });

  it('a new split moves bucket balances but not Heart or credits; the replay reproduces every recorded entry', async () => {
    const before = await ledgerState();
    const res = await simulate({ split: { localBps: 5000, nationalBps: 4000, globalBps: 1000 } });
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json();
    assert.deepEqual(r.replayCheck, { entries, formulaV1Entries: entries, reproduced: entries });
    assert.deepEqual(r.totals.simulated, r.totals.actual);
    assert.deepEqual(r.totals.change, { xp: '0', heart: '0', impactCredits: '0.0000' });
    const bucket = (name: string) => r.buckets.find((b: { bucket: string }) => b.bucket === name);
    assert.deepEqual(bucket('local').actual, { ledgerAllocation: bucket('local').actual.ledgerAllocation, poolFunded: '600000', poolDisbursed: '50000', poolBalance: '550000' });
    assert.deepEqual([bucket('local').simulated.poolFunded, bucket('local').simulated.poolBalance], ['500000', '450000']);
    assert.deepEqual([bucket('national').simulated.poolFunded, bucket('global').simulated.poolFunded], ['400000', '100000']);
    const heart = BigInt(r.totals.actual.heart);
    assert.ok(BigInt(bucket('local').simulated.ledgerAllocation) < BigInt(bucket('local').actual.ledgerAllocation));
    assert.ok(heart * 5n / 10n - BigInt(bucket('local').simulated.ledgerAllocation) < BigInt(entries), 'local gets 50% of each entry, rounded down');
    const a = r.byZone.find((z: { zoneId: string }) => z.zoneId === zoneA);
    assert.equal(a.name, 'Nairobi river');
    assert.equal(a.actual.funding, '1000000');
    assert.equal(a.actual.fundingPerImpactCredit, 1_000_000 / Number(a.actual.impactCredits));
    assert.equal(r.byZone.length, 2);
    assert.equal(r.byZone.reduce((s: number, z: { actual: { entries: number } }) => s + z.actual.entries, 0), entries);
    assert.deepEqual(await ledgerState(), before, 'the ledger is untouched');
  });

  it('formula changes: credits per reference hour doubles credits only; harder difficulty raises Heart; never writes the ledger', async () => {
    const before = await ledgerState();
    const credits = (await simulate({ formula: { creditUnitsPerReferenceHour: 20_000 } })).json();
    assert.equal(credits.totals.simulated.heart, credits.totals.actual.heart);
    const [sim, act] = [Number(credits.totals.simulated.impactCredits), Number(credits.totals.actual.impactCredits)];
    assert.ok(Math.abs(sim - 2 * act) <= entries * 0.0001, `${sim} ≈ 2 × ${act}`);
    assert.equal(credits.formula.parameters.creditUnitsPerReferenceHour, 20_000);
    assert.ok(credits.totals.simulated.fundingPerImpactCredit < credits.totals.actual.fundingPerImpactCredit);

    const harder = (await simulate({ formula: { difficultyBps: [10_000, 15_000, 12_500, 15_000, 20_000] } })).json();
    assert.ok(BigInt(harder.totals.simulated.heart) > BigInt(harder.totals.actual.heart), 'difficulty 2 now ×1.5 instead of ×1.1');
    assert.ok(BigInt(harder.totals.change.heart) > 0n);
    for (const z of harder.byZone) assert.ok(BigInt(z.change.heart) > 0n);
    assert.deepEqual(harder.formula.parameters.duration, FORMULA_V1.duration);
    assert.ok(Number(harder.totals.change.impactCredits) > 0, 'credits carry the difficulty multiplier too');
    assert.deepEqual(await ledgerState(), before, 'row count and head hash unchanged');
  });

  it('auditors and admins only; impossible or malformed policies are 400 and change nothing', async () => {
    const before = await ledgerState();
    assert.equal((await simulate({ split: { localBps: 10000, nationalBps: 0, globalBps: 0 } }, null)).statusCode, 401);
    const refused = await simulate({ split: { localBps: 10000, nationalBps: 0, globalBps: 0 } }, player);
    assert.equal(refused.statusCode, 403);
    const sum = await simulate({ split: { localBps: 5000, nationalBps: 5000, globalBps: 1000 } });
    assert.equal(sum.statusCode, 400);
    assert.deepEqual([sum.json().error.code, sum.json().error.message], ['INVALID_POLICY', 'split: localBps + nationalBps + globalBps must be 10000, got 11000']);
    const range = await simulate({ formula: { duration: { minBps: 20_000, maxBps: 10_000 } } });
    assert.deepEqual([range.statusCode, range.json().error.code], [400, 'INVALID_POLICY']);
    for (const bad of [{}, { formula: { difficultyBps: [1, 2] } }, { formula: { levelXp: 0 } }, { formula: { zone: 2 } }, { split: { localBps: 10000 } }, { split: { localBps: -1, nationalBps: 10001, globalBps: 0 } }, { other: true }]) {
      const res = await simulate(bad);
      assert.equal(res.statusCode, 400, JSON.stringify(bad));
      assert.equal(res.json().error.code, 'VALIDATION_FAILED');
    }
    assert.deepEqual(await ledgerState(), before);
  });
});
