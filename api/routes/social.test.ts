import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { bearer, signIn, testApp, type TestApp } from '../testing.ts';

type Session = Awaited<ReturnType<typeof signIn>>;

describe('social: witnesses and upvotes from the community', () => {
  let db: TestDatabase;
  let t: TestApp;
  let author: Session;
  let neighbour: Session;
  let visitor: Session;
  let outsider: Session;
  let zoneId: string;
  let actionId: string;

  const zone = async (name: string) => (await db.sql.query(
    `INSERT INTO zones (id, name, country_code, latitude, longitude, radius_m, multiplier) VALUES (gen_random_uuid(), $1, 'PT', 1, 2, 500, 1) RETURNING id`, [name])).rows[0].id as string;
  const mission = async (z: string) => (await db.sql.query(
    `INSERT INTO missions (id, zone_id, title, description, type, base_xp, base_heart, duration_minutes, latitude, longitude)
     VALUES (gen_random_uuid(), $1, 'Cleanup', 'Collect litter', 'cleanup', 10, 1000, 30, 1, 2) RETURNING id`, [z])).rows[0].id as string;
  const action = async (playerId: string, missionId: string) => (await db.sql.query(
    `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at)
     VALUES (gen_random_uuid(), $1, $2, $3, 1, 2, 5, now()) RETURNING id`, [playerId, missionId, randomUUID()])).rows[0].id as string;

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    [author, neighbour, visitor, outsider] = await Promise.all([signIn(t), signIn(t), signIn(t), signIn(t)]);
    zoneId = await zone('Lisbon');
    const elsewhere = await zone('Porto');
    await db.sql.query('UPDATE players SET home_zone_id = $1 WHERE id = $2', [zoneId, neighbour.player.id]);
    await db.sql.query('UPDATE players SET home_zone_id = $1 WHERE id = $2', [elsewhere, outsider.player.id]);
    const m = await mission(zoneId);
    actionId = await action(author.player.id, m);
    await action(visitor.player.id, m); // a proof in the zone makes the visitor part of the community
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const post = (url: string, s: Session, payload: object) => t.app.inject({ method: 'POST', url, headers: bearer(s.accessToken), payload });

  it('neighbours and local provers may witness and upvote once; never their own; outsiders may not', async () => {
    const w1 = await post('/api/social/witness', neighbour, { actionId });
    assert.equal(w1.statusCode, 201, w1.body);
    assert.deepEqual(w1.json(), { actionId, witnesses: 1, upvotes: 0 });
    const again = await post('/api/social/witness', neighbour, { actionId });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'ALREADY_WITNESSED');
    assert.equal((await post('/api/social/witness', visitor, { actionId })).json().witnesses, 2);
    const own = await post('/api/social/witness', author, { actionId });
    assert.equal(own.statusCode, 403);
    assert.equal(own.json().error.code, 'CANNOT_WITNESS_OWN');
    const out = await post('/api/social/witness', outsider, { actionId });
    assert.equal(out.statusCode, 403);
    assert.equal(out.json().error.code, 'NOT_IN_COMMUNITY');
    assert.equal((await post('/api/social/witness', neighbour, { actionId: randomUUID() })).statusCode, 404);
    assert.equal((await post('/api/social/witness', neighbour, { actionId, extra: 1 })).statusCode, 400);

    const ups = await Promise.all([1, 2, 3].map(() => post('/api/social/upvote', neighbour, { actionId })));
    assert.deepEqual(ups.map((r) => r.statusCode).sort(), [201, 409, 409]);
    assert.equal((await post('/api/social/upvote', outsider, { actionId })).json().error.code, 'NOT_IN_COMMUNITY');
    assert.equal((await post('/api/social/upvote', author, { actionId })).statusCode, 403);
    assert.equal(Number((await db.sql.query('SELECT count(*) AS n FROM witnesses')).rows[0].n), 2);
    assert.equal(Number((await db.sql.query('SELECT count(*) AS n FROM upvotes')).rows[0].n), 1);
  });

  it('shows a zone community publicly', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/social/community/${zoneId}` });
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json();
    assert.equal(c.members, 1);
    assert.equal(c.actions.length, 2);
    const mine = c.actions.find((a: { actionId: string }) => a.actionId === actionId);
    assert.deepEqual([mine.witnesses, mine.upvotes], [2, 1]);
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/social/community/${randomUUID()}` })).statusCode, 404);
  });
});
