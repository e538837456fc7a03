import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { applyImpact } from '../../api/impact/engine.ts';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { action, mission, zone } from '../testing.ts';
import { awardBadges } from './award.ts';
import { badgeEventId } from './events.ts';
import { BADGE_RULES, ruleSetDigest } from './rules.ts';

const DAY = 86_400_000;
const march = (day: number) => new Date(Date.UTC(2026, 2, day, 10));

describe('badges awarded inside the impact transaction', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let zoneId: string;
  let missionId: string;

  before(async () => {
    db = await freshDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    zoneId = await zone(db.sql, 'Lisbon');
    missionId = await mission(db.sql, zoneId);
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  let n = 0;
  const newPlayer = async () => {
    n += 1;
    const address = `0x${n.toString(16).padStart(40, '0')}`;
    return (await db.sql.query(`INSERT INTO players (id, address, did) VALUES (gen_random_uuid(), $1, $2) RETURNING id`, [address, `did:pkh:eip155:31337:${address}`])).rows[0].id as string;
  };
  const held = async (playerId: string) => (await db.sql.query(
    `SELECT b.code FROM player_badges pb JOIN badges b ON b.id = pb.badge_id WHERE pb.player_id = $1 ORDER BY pb.awarded_at, b.code`, [playerId])).rows.map((r) => r.code as string);
  /** An approved deed captured on `day` of March and applied that day. */
  const deed = async (playerId: string, day: number, witnesses: string[] = []) => {
    const id = await action(db.sql, playerId, missionId, march(day), true);
    for (const w of witnesses) await db.sql.query('INSERT INTO witnesses (action_id, witness_id) VALUES ($1, $2)', [id, w]);
    const applied = await applyImpact(pool, id, march(day));
    return { id, awarded: applied.badges.map((b) => `${b.code}${b.playerId === playerId ? '' : `→${b.playerId}`}`) };
  };

  it('awards first-deed once, publishes the rule set, and notifies the player with the rule version', async () => {
    const p = await newPlayer();
    const first = await deed(p, 1);
    assert.deepEqual(first.awarded, ['first-deed']);
    assert.deepEqual((await applyImpact(pool, first.id, march(1))).badges, [], 're-applying awards nothing');
    assert.deepEqual(await held(p), ['first-deed']);
    const note = (await db.sql.query(`SELECT kind, title, data FROM notifications WHERE player_id = $1 AND kind = 'badge_earned'`, [p])).rows;
    assert.deepEqual(note, [{ kind: 'badge_earned', title: 'Badge earned', data: { code: 'first-deed', name: 'First deed', rulesVersion: 1, actionId: first.id } }]);
    const published = (await db.sql.query('SELECT version, digest FROM badge_rule_sets')).rows;
    assert.deepEqual(published, [{ version: BADGE_RULES.version, digest: ruleSetDigest(BADGE_RULES) }]);
    assert.equal(Number((await db.sql.query('SELECT count(*) AS n FROM badges')).rows[0].n), BADGE_RULES.badges.length);
    const events = (await db.sql.query(`SELECT id, zone_id, props FROM telemetry_events WHERE name = 'badge_earned' AND player_id = $1`, [p])).rows;
    assert.deepEqual(events, [{ id: badgeEventId({ playerId: p, code: 'first-deed' }), zone_id: zoneId, props: { code: 'first-deed' } }]);
    assert.match(String(events[0]?.id), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('crowns the zone champion of the month (ties share) and the witness of the month', async () => {
    const [q, p, w, v] = [await newPlayer(), await newPlayer(), await newPlayer(), await newPlayer()];
    const qAwards: string[][] = [];
    for (let day = 1; day <= 6; day++) qAwards.push((await deed(q, day, day <= 2 ? [w, v] : [w])).awarded);
    assert.deepEqual(qAwards, [['first-deed'], [], [], [], ['zone-champion', `witness-of-the-month→${w}`], []]);
    for (let day = 10; day <= 14; day++) assert.ok(!(await deed(p, day)).awarded.includes('zone-champion'), `p has fewer deeds than q on day ${day}`);
    assert.deepEqual((await deed(p, 15)).awarded, ['zone-champion'], 'a tie with the leader shares the title');
    assert.deepEqual(await held(w), ['witness-of-the-month']);
    assert.deepEqual(await held(v), [], 'two witnessed deeds are not enough');
    const note = (await db.sql.query(`SELECT data FROM notifications WHERE player_id = $1`, [w])).rows;
    assert.equal(note.length, 1);
  });

  it('awards a seven-day streak on the seventh consecutive day, once', async () => {
    const p = await newPlayer();
    const awards: string[] = [];
    for (let day = 20; day <= 28; day++) awards.push(...(await deed(p, day)).awarded);
    // nine deeds in the zone this month: more than anyone else, so zone champion too
    assert.deepEqual(awards.filter((a) => a !== 'zone-champion'), ['first-deed', 'streak-7']);
    assert.equal((await db.sql.query(`SELECT streak_days FROM players WHERE id = $1`, [p])).rows[0].streak_days, 9);
    assert.equal((await held(p)).filter((c) => c === 'streak-7').length, 1);
  });

  it('refuses a published rule version whose content changed, and publishes a new version', async () => {
    const p = await newPlayer();
    const deedCtx = { playerId: p, actionId: await action(db.sql, p, missionId, march(2)), zoneId, capturedAt: march(2), streakDays: 1, now: new Date(march(2).getTime() + DAY) };
    const edited = { ...BADGE_RULES, badges: BADGE_RULES.badges.map((b) => (b.code === 'ten-deeds' ? { ...b, criterion: { kind: 'approved-deeds' as const, atLeast: 2 } } : b)) };
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await assert.rejects(awardBadges(client, deedCtx, edited), /differ from the published version/);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      const v2 = { version: BADGE_RULES.version + 1, badges: [...edited.badges, { code: 'pioneer', name: 'Pioneer', description: 'Joined early.', criterion: { kind: 'approved-deeds' as const, atLeast: 1 } }] };
      await awardBadges(client, deedCtx, v2);
      assert.equal((await client.query('SELECT count(*) AS n FROM badge_rule_sets')).rows[0].n, '2');
      assert.equal((await client.query(`SELECT name FROM badges WHERE code = 'pioneer'`)).rows[0].name, 'Pioneer');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
