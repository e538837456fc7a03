// awardBadges: evaluated inside the impact transaction, after the action is
// approved and the player's streak updated. Awards are idempotent (one
// player_badges row per player and badge) and each new one sends the player a
// `badge_earned` notification naming the rule version that awarded it.
import type pg from 'pg';
import { BADGE_RULES, ruleSetDigest, type BadgeRule, type BadgeRuleSet } from './rules.ts';
import { notify } from '../../lib/notify.ts';

export interface DeedContext {
  playerId: string;
  actionId: string;
  zoneId: string;
  capturedAt: Date;
  /** The player's streak after this deed. */
  streakDays: number;
  now: Date;
}

export interface Award {
  playerId: string;
  code: string;
}

/** Records the rule set the first time it is used; throws if a published version was edited since. */
async function publish(tx: pg.PoolClient, rules: BadgeRuleSet): Promise<void> {
  const digest = ruleSetDigest(rules);
  const inserted = await tx.query(
    'INSERT INTO badge_rule_sets (version, digest, rules) VALUES ($1, $2, $3) ON CONFLICT (version) DO NOTHING RETURNING version',
    [rules.version, digest, JSON.stringify(rules)]);
  if (inserted.rowCount) {
    await tx.query(
      `INSERT INTO badges (id, code, name, description) SELECT gen_random_uuid(), * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description`,
      [rules.badges.map((b) => b.code), rules.badges.map((b) => b.name), rules.badges.map((b) => b.description)]);
    return;
  }
  const stored = (await tx.query<{ digest: string }>('SELECT digest FROM badge_rule_sets WHERE version = $1', [rules.version])).rows[0];
  if (stored?.digest !== digest) throw new Error(`badge rules v${rules.version} differ from the published version; publish changes as a new version`);
}

const monthOf = (d: Date) => [new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)), new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))] as const;

/** Players (the deed's author or its witnesses) who meet `rule` with this deed; `approvedDeeds` is the author's lifetime count, read once. */
async function qualifying(tx: pg.PoolClient, rule: BadgeRule, d: DeedContext, approvedDeeds: () => Promise<number>): Promise<string[]> {
  const c = rule.criterion;
  const [from, to] = monthOf(d.capturedAt);
  switch (c.kind) {
    case 'approved-deeds':
      return (await approvedDeeds()) >= c.atLeast ? [d.playerId] : [];
    case 'streak':
      return d.streakDays >= c.days ? [d.playerId] : [];
    case 'zone-champion': {
      const r = (await tx.query<{ mine: number; best: number }>(
        `SELECT coalesce(max(n) FILTER (WHERE player_id = $4::uuid), 0)::int AS mine, coalesce(max(n), 0)::int AS best
           FROM (SELECT a.player_id, count(*) AS n FROM actions a JOIN missions m ON m.id = a.mission_id
                  WHERE m.zone_id = $1::uuid AND a.status = 'approved' AND a.captured_at >= $2 AND a.captured_at < $3
                  GROUP BY a.player_id) t`, [d.zoneId, from, to, d.playerId])).rows[0];
      return r && r.mine >= c.minDeeds && r.mine === r.best ? [d.playerId] : [];
    }
    case 'witness-of-the-month':
      return (await tx.query<{ witness_id: string }>(
        `WITH t AS (SELECT w.witness_id, count(*) AS n FROM witnesses w JOIN actions a ON a.id = w.action_id JOIN missions m ON m.id = a.mission_id
                     WHERE m.zone_id = $1::uuid AND a.status = 'approved' AND a.captured_at >= $2 AND a.captured_at < $3
                     GROUP BY w.witness_id)
         SELECT t.witness_id::text FROM t JOIN witnesses w ON w.witness_id = t.witness_id AND w.action_id = $4::uuid
          WHERE t.n >= $5 AND t.n = (SELECT max(n) FROM t)`, [d.zoneId, from, to, d.actionId, c.minWitnessed])).rows.map((r) => r.witness_id);
  }
}

/** Awards every badge of `rules` this deed earns; returns the new awards only. */
export async function awardBadges(tx: pg.PoolClient, deed: DeedContext, rules: BadgeRuleSet = BADGE_RULES): Promise<Award[]> {
  await publish(tx, rules);
  const held = new Set((await tx.query<{ code: string }>(
    'SELECT b.code FROM player_badges pb JOIN badges b ON b.id = pb.badge_id WHERE pb.player_id = $1::uuid', [deed.playerId])).rows.map((r) => r.code));
  let deeds: Promise<number> | undefined;
  const approvedDeeds = () => (deeds ??= tx.query<{ n: string }>(
    `SELECT count(*) AS n FROM actions WHERE player_id = $1::uuid AND status = 'approved'`, [deed.playerId]).then((r) => Number(r.rows[0]?.n ?? 0)));
  const awards: Award[] = [];
  for (const rule of rules.badges) {
    // Only witness-of-the-month can go to someone other than the deed's author.
    if (rule.criterion.kind !== 'witness-of-the-month' && held.has(rule.code)) continue;
    const candidates = (await qualifying(tx, rule, deed, approvedDeeds)).filter((p) => p !== deed.playerId || !held.has(rule.code));
    for (const playerId of candidates) {
      const inserted = await tx.query(
        `INSERT INTO player_badges (player_id, badge_id, awarded_at) SELECT $1::uuid, id, $3 FROM badges WHERE code = $2
         ON CONFLICT DO NOTHING RETURNING badge_id`, [playerId, rule.code, deed.now]);
      if (!inserted.rowCount) continue;
      await notify(tx, { playerId, kind: 'badge_earned', dedupeKey: `badge_earned:${rule.code}`, payload: { code: rule.code, name: rule.name, rulesVersion: rules.version, actionId: deed.actionId } });
      awards.push({ playerId, code: rule.code });
    }
  }
  return awards;
}
