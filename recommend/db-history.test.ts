import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDb, type Db } from '../lib/db.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { loadHistory } from './db-history.ts';
import { simulateWorld } from './sim.ts';
import { seedWorld } from './testing.ts';

describe('recommender history from Postgres', () => {
  let db: TestDatabase;
  let prisma: Db | undefined;
  const world = simulateWorld({ seed: 23, players: 60, zonesPerCity: 2, days: 40 });
  before(async () => {
    db = await freshDatabase();
    await seedWorld(db.sql, world);
    prisma = createDb(db.url);
  });
  const history = () => loadHistory(prisma as Db);
  after(async () => {
    await prisma?.$disconnect();
    await db.drop();
  });

  it('reads every approved completion with the level its player had then, from the XP of their earlier ledger entries', async () => {
    const h = await history();
    const key = (c: { playerId: string; missionId: string }) => `${c.playerId}|${c.missionId}`;
    const read = new Map(h.completions.map((c) => [key(c), c]));
    assert.equal(read.size, world.history.completions.length);
    const levels = new Set<number>();
    for (const c of world.history.completions) {
      const r = read.get(key(c));
      assert.ok(r, key(c));
      assert.equal(r.at, new Date(c.at).getTime());
      assert.equal(r.levelBefore, c.levelBefore, `level before ${key(c)}`);
      levels.add(r.levelBefore ?? 0);
    }
    assert.ok(levels.size >= 3, `levels seen: ${[...levels]}`);
  });

  it('leaves the level unknown for an approved action the ledger has not recorded yet', async () => {
    const c = world.history.completions[0];
    assert.ok(c);
    const other = world.history.missions.find((m) => !world.history.completions.some((x) => x.playerId === c.playerId && x.missionId === m.id));
    assert.ok(other);
    await db.sql.query(`INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, status)
      VALUES (gen_random_uuid(), $1, $2, 'not-in-ledger', 0, 0, 5, now(), 'approved')`, [c.playerId, other.id]);
    const h = await history();
    const fresh = h.completions.find((x) => x.playerId === c.playerId && x.missionId === other.id);
    assert.ok(fresh);
    assert.equal(fresh.levelBefore, undefined);
  });
});
