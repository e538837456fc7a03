import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { action, mission, zone } from '../community/testing.ts';
import { IMPACT_JOB, IMPACT_QUEUE, jobOptions } from '../lib/queues.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { startImpactWorker } from './impact/worker.ts';
import { bearer, signIn, testApp, type TestApp } from './testing.ts';

const POOL_MAX = 3;
/** Connections an API process opens outside its pool: the map route's LISTEN client (api/zone-activity-watch.ts). */
const LISTENERS = 1;

describe('an API process holds at most DATABASE_POOL_MAX Postgres connections (one pool for Prisma, routes and workers)', () => {
  let db: TestDatabase;
  let t: TestApp;
  let impact: Queue;
  const prefix = `tc${randomBytes(5).toString('hex')}`;

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url, { DATABASE_POOL_MAX: String(POOL_MAX), VERIFIER_QUEUE_PREFIX: prefix });
    impact = new Queue(IMPACT_QUEUE, { connection: t.deps.redis, prefix });
  });
  after(async () => {
    await impact.obliterate({ force: true });
    await impact.close();
    await t.close();
    await db.drop();
  });

  /**
   * The app's client sessions on this database (not the test's own, db.sql; autovacuum and parallel
   * workers are not connections) and the ledger's length, in one round trip.
   */
  const sample = async () => (await db.sql.query<{ connections: number; entries: number }>(
    `SELECT (SELECT count(*)::int FROM pg_stat_activity
              WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()) AS connections,
            (SELECT count(*)::int FROM ledger_entries) AS entries`)).rows[0]!;

  it('a burst of reads, quest starts (Prisma transactions) and impact jobs all succeed within the bound', async (ctx) => {
    const zoneId = await zone(db.sql, 'Porto');
    const missionIds: string[] = [];
    for (let i = 0; i < 3; i++) missionIds.push(await mission(db.sql, zoneId));
    const players = await Promise.all(Array.from({ length: 6 }, () => signIn(t)));
    const approved: string[] = [];
    for (const [i, p] of players.entries()) approved.push(await action(db.sql, p.player.id, missionIds[i % missionIds.length]!, new Date(), true));

    let peak = 0;
    let entries = 0;
    let stop = false;
    let requestsDone = false;
    // samples until the requests are answered and every impact job has written its entry (or ~30 s)
    const watch = (async () => {
      for (let i = 0; i < 3000 && !stop && !(requestsDone && entries >= approved.length); i++) {
        const s = await sample();
        peak = Math.max(peak, s.connections);
        entries = s.entries;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    // more impact jobs in parallel than the pool has connections: each holds one in its transaction
    const worker = startImpactWorker(t.deps, { concurrency: POOL_MAX + 2 });
    try {
      const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: bearer(token) });
      const requests = [
        ...players.flatMap((p, i) => [
          get('/api/quest/list', p.accessToken),
          get(`/api/player/${p.player.id}`, p.accessToken),
          get('/api/ledger/epochs', p.accessToken),
          get(`/api/quest/${missionIds[i % missionIds.length]}/history`, p.accessToken),
          get('/api/quest/list?sort=created', p.accessToken),
        ]),
        ...players.map((p, i) => t.app.inject({ method: 'POST', url: `/api/quest/${missionIds[(i + 1) % missionIds.length]}/start`, headers: bearer(p.accessToken), payload: {} })),
      ];
      await impact.addBulk(approved.map((actionId) => ({ name: IMPACT_JOB, data: { actionId }, opts: jobOptions(actionId) })));
      const responses = await Promise.all(requests);
      requestsDone = true;
      assert.equal(responses.length, 36);
      assert.deepEqual(responses.filter((r) => r.statusCode !== 200 && r.statusCode !== 201).map((r) => `${r.statusCode} ${r.body}`), []);
      await watch;
      assert.equal(entries, approved.length, 'every impact job applied its action');
      const states = await Promise.all(approved.map(async (id) => (await impact.getJob(id))?.getState()));
      assert.deepEqual(states, approved.map(() => 'completed'));
    } finally {
      stop = true;
      await watch;
      await worker.close();
    }
    peak = Math.max(peak, (await sample()).connections);
    ctx.diagnostic(`peak: ${peak} app connections (DATABASE_POOL_MAX ${POOL_MAX} + ${LISTENERS} LISTEN client allowed)`);
    assert.ok(peak > 0, 'the sampler saw the app connected');
    assert.ok(peak <= POOL_MAX + LISTENERS, `peak ${peak} connections > DATABASE_POOL_MAX ${POOL_MAX} + ${LISTENERS} LISTEN client`);
  });
});
