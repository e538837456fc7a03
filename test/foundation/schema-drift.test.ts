import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, type TestDatabase } from '../helpers/database.ts';
import { describeDatabase, describeSchema, diff, loadDmmf, SCHEMA_FILE } from '../helpers/schema-drift.ts';

describe('prisma/schema.prisma and the migrated database agree', () => {
  let db: TestDatabase;
  let database: Set<string>;
  before(async () => {
    db = await freshDatabase();
    database = await describeDatabase(db.sql);
  });
  after(() => db.drop());

  it('has every model, column, type, nullability, enum and index on both sides', async () => {
    const schema = describeSchema(await loadDmmf());
    assert.deepEqual(diff(schema, database), { onlyInSchema: [], onlyInDatabase: [] });
    assert.ok(schema.size > 200, `suspiciously small schema description (${schema.size} lines)`);
  });

  it('describes a partitioned table by its parent, not by its partitions', async () => {
    const parts = await db.sql.query(`SELECT 1 FROM pg_class WHERE relispartition AND relname LIKE 'telemetry_events_p%'`);
    assert.ok(parts.rowCount! > 0, 'the migration creates telemetry partitions');
    assert.ok(database.has('column telemetry_events.occurred_at timestamptz(3) not null'));
    assert.ok(database.has('index telemetry_events(occurred_at,id) unique'));
    assert.deepEqual([...database].filter((l) => l.includes('telemetry_events_p')), []);
  });

  it('notices drift: a field made optional, a column retyped, an index dropped', async () => {
    const text = await readFile(SCHEMA_FILE, 'utf8');
    const drifted = text
      .replace('displayName   String?   @map("display_name")', 'displayName   String    @map("display_name")')
      .replace('streakDays    Int       @default(0) @map("streak_days")', 'streakDays    BigInt    @default(0) @map("streak_days")')
      .replace('  @@index([countryCode])\n', '');
    assert.notEqual(drifted, text);
    const { onlyInSchema, onlyInDatabase } = diff(describeSchema(await loadDmmf(drifted)), database);
    assert.deepEqual(onlyInSchema, ['column players.display_name text not null', 'column players.streak_days int8 not null']);
    assert.deepEqual(onlyInDatabase, [
      'column players.display_name text null',
      'column players.streak_days int4 not null',
      'index zones(country_code) plain',
    ]);
  });
});
