import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { decodeEntry } from '../../ledger/index.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { applyImpact } from '../impact/engine.ts';
import { computeImpact, FORMULA_V1, type FormulaParams } from '../impact/formula.ts';
import { sameFormula } from '../impact/formula-schema.ts';
import { bearer, newWallet, signIn, testApp, type TestApp } from '../testing.ts';

type Session = Awaited<ReturnType<typeof signIn>>;

describe('admin: versioned impact formula', () => {
  let db: TestDatabase;
  let t: TestApp;
  let pool: pg.Pool;
  let admin: Session;
  let player: Session;
  let mission: string;
  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    player = await signIn(t);
    const w = newWallet();
    await db.sql.query(`UPDATE players SET role = 'admin' WHERE id = $1`, [(await signIn(t, w)).player.id]);
    admin = await signIn(t, w);
    const zone = (await db.sql.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES (gen_random_uuid(), 'Z', 'PT', 0, 0, 500) RETURNING id`)).rows[0].id as string;
    mission = (await db.sql.query(
      `INSERT INTO missions (id, zone_id, title, description, type, difficulty, base_xp, base_heart, duration_minutes, latitude, longitude)
       VALUES (gen_random_uuid(), $1, 'M', 'd', 'cleanup', 3, 100, 1000000, 60, 0, 0) RETURNING id`, [zone])).rows[0].id as string;
  });
  after(async () => {
    await pool.end();
    await t.close();
    await db.drop();
  });

  const get = (s: Session | null) => t.app.inject({ method: 'GET', url: '/api/admin/impact-formula', headers: s ? bearer(s.accessToken) : {} });
  const post = (s: Session | null, payload: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/admin/impact-formula', headers: s ? bearer(s.accessToken) : {}, payload: payload as object });
  const versions = async () => Number((await db.sql.query('SELECT count(*) AS n FROM impact_formulas')).rows[0].n);

  async function approvedAction(): Promise<string> {
    const id = randomUUID();
    await db.sql.query(
      `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at) VALUES ($1, $2, $3, $4, 0, 0, 5, now())`,
      [id, player.player.id, mission, `k-${id}`]);
    await db.sql.query(
      `INSERT INTO evidence (id, action_id, object_key, sha256, media_type, size_bytes, salt) VALUES (gen_random_uuid(), $1, $2, $3, 'image/jpeg', 10, $4)`,
      [id, `proofs/${player.player.id}/${id}/media`, randomBytes(32).toString('hex'), randomBytes(32)]);
    await db.sql.query(
      `INSERT INTO verification_results (id, action_id, authenticity, confidence, flags, model_version, decision) VALUES (gen_random_uuid(), $1, 100, 0.9, '{}', 'test-verifier-1', 'approve')`, [id]);
    return id;
  }

  const v2: FormulaParams = { ...FORMULA_V1, difficultyBps: [10_000, 12_000, 15_000, 20_000, 30_000], fund: { localBps: 5_000, nationalBps: 4_000, globalBps: 1_000 } };

  it('version 1 in the database is exactly FORMULA_V1, and GET shows it as active to admins only', async () => {
    const res = await get(admin);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.active.version, 1);
    assert.ok(sameFormula(body.active.params, FORMULA_V1), 'migration seed equals the code');
    assert.deepEqual(body.versions.map((v: { version: number }) => v.version), [1]);
    assert.equal((await get(player)).statusCode, 403);
    assert.equal((await get(null)).statusCode, 401);
  });

  it('entries carry the version they were computed with: v1 before publication, v2 after', async () => {
    const before = await applyImpact(pool, await approvedAction());
    assert.equal(decodeEntry(before.entry.encoded).formulaVersion, 1);

    const res = await post(admin, { params: v2, note: 'harder missions pay more', basedOn: 1 });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().created, true);
    assert.equal(res.json().formula.version, 2);
    assert.equal(res.json().formula.createdBy, admin.player.id);

    const actionId = await approvedAction();
    const after = await applyImpact(pool, actionId);
    const entry = decodeEntry(after.entry.encoded);
    assert.equal(entry.formulaVersion, 2);
    assert.deepEqual(entry.fund, v2.fund);
    const row = (await db.sql.query('SELECT formula_version, xp FROM ledger_entries WHERE action_id = $1', [actionId])).rows[0];
    assert.equal(row.formula_version, 2);
    assert.equal(after.breakdown?.multipliersBps.difficulty, 15_000);
    // the first entry took the player to level 2
    const expected = computeImpact({ baseXp: 100, baseHeart: 1_000_000n, durationMinutes: 60, zoneMultiplier: '1.000', witnesses: 0, level: 2, difficulty: 3, streakDays: 1, score: 100 }, { version: 2, params: v2 });
    assert.equal(row.xp, expected.xp);
    assert.equal((await db.sql.query('SELECT formula_version FROM ledger_entries WHERE seq = 0')).rows[0].formula_version, 1, 'the earlier entry keeps v1');

    const log = (await db.sql.query(`SELECT action, actor_id::text, data FROM audit_log WHERE target = 'impact_formula:2'`)).rows;
    assert.equal(log.length, 1);
    assert.deepEqual([log[0].action, log[0].actor_id, log[0].data.previous, log[0].data.note], ['impact_formula.publish', admin.player.id, 1, 'harder missions pay more']);
  });

  it('publishing the active parameters again is a no-op; a stale basedOn is a 409', async () => {
    const again = await post(admin, { params: v2, basedOn: 1 });
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual([again.json().created, again.json().formula.version], [false, 2]);
    const stale = await post(admin, { params: FORMULA_V1, basedOn: 1 });
    assert.equal(stale.statusCode, 409);
    assert.equal(stale.json().error.code, 'FORMULA_VERSION_CONFLICT');
    assert.equal(await versions(), 2);
    const history = (await get(admin)).json();
    assert.deepEqual(history.versions.map((v: { version: number }) => v.version), [2, 1]);
    assert.ok(sameFormula(history.versions[1].params, FORMULA_V1), 'old versions are unchanged');
  });

  it('refuses invalid parameters and non-admins with a clear 4xx, publishing nothing', async () => {
    const cases: [Session | null, unknown, number, string][] = [
      [admin, { params: { ...v2, fund: { localBps: 5_000, nationalBps: 5_000, globalBps: 1_000 } } }, 400, 'INVALID_FORMULA'],
      [admin, { params: { ...v2, duration: { referenceMinutes: 60, minBps: 20_000, maxBps: 10_000 } } }, 400, 'INVALID_FORMULA'],
      [admin, { params: { ...v2, difficultyBps: [1, 2, 3] } }, 400, 'VALIDATION_FAILED'],
      [admin, { params: { ...v2, levelXp: 0 } }, 400, 'VALIDATION_FAILED'],
      [admin, { params: { ...v2, streak: { perDayBps: 200, maxBonusBps: 3_000, extra: 1 } } }, 400, 'VALIDATION_FAILED'],
      [admin, { params: { ...v2, creditUnitsPerReferenceHour: 1.5 } }, 400, 'VALIDATION_FAILED'],
      [admin, { params: v2, version: 7 }, 400, 'VALIDATION_FAILED'],
      [admin, {}, 400, 'VALIDATION_FAILED'],
      [player, { params: FORMULA_V1 }, 403, 'FORBIDDEN'],
      [null, { params: FORMULA_V1 }, 401, 'UNAUTHENTICATED'],
    ];
    for (const [who, body, status, code] of cases) {
      const res = await post(who, body);
      assert.equal(res.statusCode, status, `${JSON.stringify(body)}: ${res.body}`);
      assert.equal(res.json().error.code, code);
    }
    assert.equal(await versions(), 2);
  });

  it('published versions are immutable in the database', async () => {
    await assert.rejects(db.sql.query(`UPDATE impact_formulas SET note = 'edited' WHERE version = 1`), /immutable/);
    await assert.rejects(db.sql.query('DELETE FROM impact_formulas WHERE version = 2'), /immutable/);
    assert.equal(await versions(), 2);
  });

  it('the dashboard and /metrics count the two entries (max(seq) + 1 of the gapless ledger)', async () => {
    const d = await t.app.inject({ method: 'GET', url: '/api/admin/dashboard', headers: bearer(admin.accessToken) });
    assert.equal(d.json().ledger.entries, 2);
    assert.equal(d.json().actions.today.byStatus.approved, 2);
    assert.equal(d.json().verification.last7d.approve, 2);
    assert.match((await t.app.inject({ url: '/metrics' })).body, /^oneheart_ledger_entries 2$/m);
  });
});
