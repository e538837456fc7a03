import { levelForXp } from '../api/impact/formula.ts';
import type { Db } from '../lib/db.ts';
import type { Category, History } from './history.ts';

/**
 * Reads the recommender's view of the world from Postgres: completions are
 * approved actions (the first per player and mission, at capture time, with
 * the level the player had then from the XP of their earlier ledger entries);
 * friendships are players who witnessed or upvoted each other's proofs; a
 * player's home is their home zone, else the centre of their proofs.
 */
export async function loadHistory(db: Db): Promise<History> {
  const [players, zones, missions, completions, friendships] = await Promise.all([
    db.$queryRaw<{ id: string; level: number; created_at: Date; lat: number | null; lon: number | null }[]>`
      SELECT p.id::text, p.level, p.created_at, COALESCE(z.latitude, a.lat) AS lat, COALESCE(z.longitude, a.lon) AS lon
      FROM players p
      LEFT JOIN zones z ON z.id = p.home_zone_id
      LEFT JOIN (SELECT player_id, avg(latitude) AS lat, avg(longitude) AS lon FROM actions GROUP BY player_id) a ON a.player_id = p.id`,
    db.$queryRaw<{ id: string; name: string; latitude: number; longitude: number }[]>`SELECT id::text, name, latitude, longitude FROM zones`,
    db.$queryRaw<{ id: string; zone_id: string; title: string; type: Category; difficulty: number; latitude: number; longitude: number; starts_at: Date | null; ends_at: Date | null; active: boolean }[]>`
      SELECT id::text, zone_id::text, title, type::text, difficulty, latitude, longitude, starts_at, ends_at, active FROM missions`,
    db.$queryRaw<{ player_id: string; mission_id: string; at: Date; xp_before: number | null }[]>`
      SELECT DISTINCT ON (a.player_id, a.mission_id) a.player_id::text, a.mission_id::text, a.captured_at AS at, x.xp_before
      FROM actions a
      LEFT JOIN (SELECT action_id, (sum(xp) OVER (PARTITION BY player_address ORDER BY seq) - xp)::float8 AS xp_before FROM ledger_entries) x
        ON x.action_id = a.id
      WHERE a.status = 'approved' ORDER BY a.player_id, a.mission_id, a.captured_at`,
    db.$queryRaw<{ a: string; b: string }[]>`
      SELECT DISTINCT LEAST(x.p, x.q)::text AS a, GREATEST(x.p, x.q)::text AS b FROM (
        SELECT w.witness_id AS p, act.player_id AS q FROM witnesses w JOIN actions act ON act.id = w.action_id
        UNION ALL
        SELECT u.player_id, act.player_id FROM upvotes u JOIN actions act ON act.id = u.action_id
      ) x WHERE x.p <> x.q`,
  ]);
  return {
    players: players.map((p) => ({
      id: p.id, level: p.level, createdAt: p.created_at.getTime(),
      home: p.lat === null || p.lon === null ? null : { latitude: Number(p.lat), longitude: Number(p.lon) },
    })),
    zones,
    missions: missions.map((m) => ({
      id: m.id, zoneId: m.zone_id, title: m.title, type: m.type, difficulty: m.difficulty, latitude: m.latitude, longitude: m.longitude,
      startsAt: m.starts_at?.getTime() ?? null, endsAt: m.ends_at?.getTime() ?? null, active: m.active,
    })),
    completions: completions.map((c) => ({
      playerId: c.player_id, missionId: c.mission_id, at: c.at.getTime(),
      ...(c.xp_before === null ? {} : { levelBefore: levelForXp(BigInt(c.xp_before)) }),
    })),
    friendships: friendships.map((f) => [f.a, f.b]),
  };
}

/** Changes whenever anything loadHistory reads changes (cheap: a few aggregates). */
export async function historyFingerprint(db: Db): Promise<{ all: string; completions: string }> {
  const [row] = await db.$queryRaw<{ completions: string; rest: string }[]>`
    SELECT (SELECT count(*) || ':' || COALESCE(max(captured_at)::text, '') || ':' || COALESCE(max(submitted_at)::text, '') FROM actions WHERE status = 'approved') AS completions,
           concat_ws('|',
             (SELECT count(*) || ':' || count(*) FILTER (WHERE active) || ':' || COALESCE(max(created_at)::text, '') FROM missions),
             (SELECT count(*) || ':' || COALESCE(sum(level), 0) || ':' || COALESCE(max(updated_at)::text, '') FROM players),
             (SELECT count(*) FROM zones), (SELECT count(*) FROM actions), (SELECT count(*) FROM witnesses), (SELECT count(*) FROM upvotes)) AS rest`;
  return { all: `${row?.completions}|${row?.rest}`, completions: row?.completions ?? '' };
}
