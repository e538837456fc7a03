import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDb, type Db } from '../lib/db.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import type { Fit } from './fit-job.ts';
import { fitInWorker } from './fit-in-worker.ts';
import { Recommender } from './service.ts';
import { simulateWorld } from './sim.ts';
import { seedWorld } from './testing.ts';

describe('Recommender refreshes (Postgres data, fits in a worker thread)', () => {
  const world = simulateWorld({ seed: 21, players: 60, zonesPerCity: 3, days: 40 });
  let db: TestDatabase;
  let prisma: Db;
  let recommender: Recommender;
  // The worker really fails while `broken`: it is handed a history it cannot read.
  let broken = true;
  let fits = 0;
  const refreshErrors: Error[] = [];
  const fit: Fit = (job) => {
    fits++;
    return fitInWorker(broken ? { ...job, history: { ...job.history, completions: 'unreadable' as unknown as typeof job.history.completions } } : job);
  };
  const playerId = world.history.players[0]!.id;

  before(async () => {
    db = await freshDatabase();
    await seedWorld(db.sql, world);
    prisma = createDb(db.url);
    recommender = new Recommender(prisma, { maxAgeMs: 0, fit, onRefreshError: (err) => refreshErrors.push(err as Error) });
  });
  after(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it('a first refresh that fails rejects with the worker\'s error; the next call fits again', async () => {
    await assert.rejects(recommender.snapshot(), /^Error: recommender refit failed in its worker thread: /);
    broken = false;
    const snap = await recommender.snapshot();
    assert.equal(fits, 2);
    assert.equal(snap.ctx.profiles.size, world.history.players.length);
    assert.ok(snap.mf && snap.choice);
    assert.match(snap.version, new RegExp(`\\.${world.history.completions.length}$`));
    assert.equal(refreshErrors.length, 0);
  });

  it('concurrent callers share one refresh; a change other than completions keeps the fitted models', async () => {
    const before = await recommender.snapshot();
    const fitsBefore = fits;
    await db.sql.query('UPDATE players SET level = level + 1 WHERE id = $1', [playerId]);
    const [a, b] = await Promise.all([recommender.snapshot(), recommender.snapshot(playerId)]);
    assert.equal(a, b);
    assert.equal(fits, fitsBefore + 1);
    assert.notEqual(a, before);
    assert.equal(a.ctx.profiles.get(playerId)?.level, (before.ctx.profiles.get(playerId)?.level ?? 0) + 1);
    assert.equal(a.mf, before.mf);
    assert.equal(a.choice, before.choice);
    assert.equal(a.version, before.version);
  });

  it('a failed refresh keeps serving the previous snapshot, reports the error, and is retried later', async () => {
    const served = await recommender.snapshot();
    const m = world.history.missions.find((x) => !served.ctx.profiles.get(playerId)?.done.has(x.id));
    assert.ok(m);
    await db.sql.query(
      `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, submitted_at, status)
       VALUES (gen_random_uuid(), $1, $2, 'service-test', $3, $4, 5, now(), now(), 'approved')`,
      [playerId, m.id, m.latitude, m.longitude]);
    broken = true;
    assert.equal(await recommender.snapshot(), served);
    assert.equal(refreshErrors.length, 1);
    assert.match(refreshErrors[0]?.message ?? '', /^recommender refit failed in its worker thread: /);
    broken = false;
    const refitted = await recommender.snapshot();
    assert.notEqual(refitted, served);
    assert.ok(refitted.ctx.profiles.get(playerId)?.done.has(m.id));
    assert.notEqual(refitted.mf, served.mf);
    assert.ok(refitted.mf?.users.has(playerId));
    assert.match(refitted.version, new RegExp(`\\.${world.history.completions.length + 1}$`));
  });
});
