import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';

/** Inserts the minimum rows a ledger entry references and one entry; returns its seq. */
async function seedOneEntry(db: TestDatabase): Promise<void> {
  const zone = randomUUID(), mission = randomUUID(), player = randomUUID(), action = randomUUID();
  const address = '0x' + '11'.repeat(20);
  await db.sql.query(`INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m) VALUES ($1, 'Z', 'KE', 0, 0, 100)`, [zone]);
  await db.sql.query(
    `INSERT INTO missions (id, zone_id, title, description, type, base_xp, base_heart, duration_minutes, latitude, longitude)
     VALUES ($1, $2, 'M', 'd', 'cleanup', 10, 1000, 30, 0, 0)`, [mission, zone]);
  await db.sql.query(`INSERT INTO players (id, address, did) VALUES ($1, $2, $3)`, [player, address, `did:pkh:eip155:31337:${address}`]);
  await db.sql.query(
    `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at)
     VALUES ($1, $2, $3, 'k1', 0, 0, 5, now())`, [action, player, mission]);
  const h = Buffer.alloc(32, 1);
  await db.sql.query(
    `INSERT INTO ledger_entries (seq, action_id, prev_hash, entry_hash, encoded, player_address, xp, heart, impact_credits,
       fund_local_bps, fund_national_bps, fund_global_bps, formula_version, model_version, score, evidence_commitment)
     VALUES (0, $1, $2, $3, $4, $5, 10, 1000, 1, 6000, 3000, 1000, 1, 'm1', 90, $2)`,
    [action, Buffer.alloc(32), h, Buffer.from('entry'), address]);
}

describe('impact ledger is append-only at the database level', () => {
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase();
    await seedOneEntry(db);
  });
  after(() => db.drop());

  for (const [op, sql] of [
    ['UPDATE', 'UPDATE ledger_entries SET xp = 999'],
    ['DELETE', 'DELETE FROM ledger_entries'],
    ['TRUNCATE', 'TRUNCATE ledger_entries CASCADE'],
  ] as const) {
    it(`rejects ${op} even for the table owner`, async () => {
      await assert.rejects(db.sql.query(sql), new RegExp(`append-only: ${op} rejected`));
      const { rows } = await db.sql.query('SELECT count(*)::int AS n, max(xp) AS xp FROM ledger_entries');
      assert.deepEqual(rows[0], { n: 1, xp: 10 });
    });

    it(`denies ${op} to the application role by privilege`, async () => {
      await db.sql.query('BEGIN');
      try {
        await db.sql.query('SET LOCAL ROLE oneheart_app');
        await assert.rejects(db.sql.query(sql), /permission denied/);
      } finally {
        await db.sql.query('ROLLBACK');
      }
    });
  }

  it('lets the application role read and append', async () => {
    await db.sql.query('BEGIN');
    try {
      await db.sql.query('SET LOCAL ROLE oneheart_app');
      const { rows } = await db.sql.query('SELECT count(*)::int AS n FROM ledger_entries');
      assert.equal(rows[0].n, 1);
      const { rows: priv } = await db.sql.query(`SELECT has_table_privilege('oneheart_app', 'ledger_entries', 'INSERT') AS ins`);
      assert.equal(priv[0].ins, true);
    } finally {
      await db.sql.query('ROLLBACK');
    }
  });
});
