import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { weekStart } from '../../community/health.ts';
import { mission, signInAdmin, zone } from '../../community/testing.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { bearer, signIn, testApp, type TestApp } from '../testing.ts';

const WEEK = 7 * 86_400_000;
const AS_OF = '2026-06-10';

interface ZoneHealth {
  zoneId: string; name: string; members: number; sentimentTrend: number | null; history: unknown[];
  week: { activity: number; actions: number; comments: number; upvotes: number; activePlayers: number; participationRate: number | null; engagementPerAction: number | null; sentiment: number | null };
  warning: { raised: boolean; activity: { fired: boolean; mean: number; current: number } | null; sentiment: { fired: boolean } | null };
}

describe('GET /api/admin/community-health', () => {
  let db: TestDatabase;
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signIn>>;
  let player: Awaited<ReturnType<typeof signIn>>;
  const players: string[] = [];
  const ids: Record<string, string> = {};
  // Week 0 is the oldest of the eight baseline weeks; week 8 is the reported one (the last complete week before AS_OF).
  const reported = weekStart(new Date(`${AS_OF}T00:00:00Z`)).getTime() - WEEK;
  const at = (week: number, i: number) => new Date(reported - (8 - week) * WEEK + 3_600_000 * (1 + i));

  async function actions(zoneId: string, week: number, n: number) {
    const m = await mission(db.sql, zoneId);
    const made: string[] = [];
    for (let i = 0; i < n; i++) {
      made.push((await db.sql.query(
        `INSERT INTO actions (id, player_id, mission_id, idempotency_key, latitude, longitude, accuracy_m, captured_at, submitted_at)
         VALUES (gen_random_uuid(), $1, $2, gen_random_uuid()::text, 0, 0, 5, $3, $3) RETURNING id`, [players[i % players.length], m, at(week, i)])).rows[0].id);
    }
    return made;
  }
  async function comments(zoneId: string, week: number, sentiments: number[]) {
    for (const [i, s] of sentiments.entries()) {
      await db.sql.query(
        `INSERT INTO comments (id, author_id, zone_id, client_key, body, status, flags, sentiment, sentiment_score, moderation_version, created_at)
         VALUES (gen_random_uuid(), $1, $2, gen_random_uuid()::text, 'a comment', 'visible', '{}', $3, 0, 1, $4)`, [players[i % players.length], zoneId, s, at(week, i)]);
    }
  }

  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
    admin = await signInAdmin(t, db.sql);
    player = await signIn(t);
    for (let i = 0; i < 3; i++) players.push((await signIn(t)).player.id);
    for (const name of ['Steady', 'Dropping', 'Souring', 'Newcomer']) ids[name] = await zone(db.sql, name);
    await db.sql.query('UPDATE players SET home_zone_id = $1 WHERE id = ANY($2::uuid[])', [ids.Steady, players]);
    for (let week = 0; week <= 8; week++) {
      const steady = await actions(ids.Steady!, week, 10 + (week % 2));
      await comments(ids.Steady!, week, [0.5, 0.4, 0.45]);
      for (const a of steady.slice(0, 2)) await db.sql.query('INSERT INTO upvotes (action_id, player_id, created_at) VALUES ($1, $2, $3)', [a, player.player.id, at(week, 0)]);
      await actions(ids.Dropping!, week, week < 8 ? 10 + (week % 3) : 2);
      await actions(ids.Souring!, week, 10);
      await comments(ids.Souring!, week, week < 8 ? [0.4, 0.5, 0.3] : [-0.8, -1.2, -0.6]);
    }
    await actions(ids.Newcomer!, 8, 4);
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  const get = (query: string, s: { accessToken: string } | null = admin) =>
    t.app.inject({ method: 'GET', url: `/api/admin/community-health${query}`, headers: s ? bearer(s.accessToken) : {} });

  it('raises an early warning on a synthetic drop in activity or sentiment, and not on steady zones', async () => {
    const res = await get(`?asOf=${AS_OF}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { weekStart: string; weekEnd: string; baselineWeeks: number; zones: ZoneHealth[] };
    assert.equal(body.weekStart, new Date(reported).toISOString());
    assert.equal(body.baselineWeeks, 8);
    const z = Object.fromEntries(body.zones.map((h) => [h.name, h])) as Record<string, ZoneHealth>;
    assert.deepEqual(body.zones.slice(0, 2).map((h) => h.name).sort(), ['Dropping', 'Souring'], 'warnings first');

    assert.equal(z.Dropping!.warning.activity?.fired, true);
    assert.equal(z.Dropping!.warning.activity?.current, 2);
    assert.ok(Math.abs(z.Dropping!.warning.activity!.mean - 10.875) < 1e-9);
    assert.equal(z.Souring!.warning.activity?.fired, false);
    assert.equal(z.Souring!.warning.sentiment?.fired, true);
    assert.ok(z.Souring!.week.sentiment! < 0);
    assert.ok(z.Souring!.sentimentTrend! < 0);

    const steady = z.Steady!;
    assert.equal(steady.warning.raised, false);
    assert.deepEqual([steady.warning.activity?.fired, steady.warning.sentiment?.fired], [false, false]);
    assert.deepEqual([steady.week.actions, steady.week.comments, steady.week.upvotes, steady.week.activity], [10, 3, 2, 15]);
    assert.equal(steady.members, 3);
    assert.equal(steady.week.activePlayers, 4);
    assert.equal(steady.week.participationRate, 4 / 3);
    assert.equal(steady.week.engagementPerAction, 0.5);
    assert.equal(steady.history.length, 8);

    const fresh = z.Newcomer!;
    assert.deepEqual([fresh.warning.raised, fresh.warning.activity, fresh.warning.sentiment, fresh.week.actions], [false, null, null, 4], 'no history, no verdict');
  });

  it('filters by zone and takes the baseline length', async () => {
    const res = await get(`?asOf=${AS_OF}&zoneId=${ids.Dropping}&weeks=4`);
    assert.equal(res.statusCode, 200, res.body);
    const [only] = res.json().zones as ZoneHealth[];
    assert.equal(res.json().zones.length, 1);
    assert.deepEqual([only!.name, only!.history.length, only!.warning.activity?.fired], ['Dropping', 4, true]);
  });

  it('is for admins only and refuses bad input', async () => {
    assert.equal((await get('', null)).statusCode, 401);
    assert.equal((await get('', player)).statusCode, 403);
    for (const q of ['?weeks=3', '?weeks=27', '?asOf=10-06-2026', '?zoneId=lisbon', '?foo=1']) {
      const res = await get(q);
      assert.equal(res.statusCode, 400, q);
      assert.equal(res.json().error.code, 'VALIDATION_FAILED');
    }
  });
});
