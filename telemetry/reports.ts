import type pg from 'pg';
import { NIL_UUID } from './store.ts';

/**
 * Product reports over telemetry (UTC days, range [from, to)):
 * - active players per day and per zone/day (distinct players with any event);
 * - the funnel quest_started → action_submitted → proof_verified →
 *   reward_redeemed: events per step (daily rollups) and players who reached
 *   the step and every earlier one within the range (raw events);
 * - retention cohorts by first session_started day: of the players whose
 *   first session ever fell on that day, how many had any event on day +1, +7
 *   and +30 (null while that day has not started yet).
 */

export const FUNNEL = ['quest_started', 'action_submitted', 'proof_verified', 'reward_redeemed'] as const;
export const RETENTION_DAYS = [1, 7, 30] as const;

export interface Reports {
  from: string;
  to: string;
  activePlayers: { day: string; players: number }[];
  activeByZone: { day: string; zoneId: string; players: number }[];
  funnel: { step: (typeof FUNNEL)[number]; events: number; players: number }[];
  retention: { cohort: string; players: number; d1: number | null; d7: number | null; d30: number | null }[];
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export async function reports(pool: pg.Pool, from: Date, to: Date, now = new Date()): Promise<Reports> {
  const range = [from, to];
  const [active, byZone, steps, reached, cohorts] = await Promise.all([
    pool.query<{ day: Date; players: number }>(`
      SELECT date_trunc('day', occurred_at, 'UTC') AS day, count(DISTINCT player_id)::int AS players
      FROM telemetry_events WHERE occurred_at >= $1 AND occurred_at < $2 AND player_id IS NOT NULL
      GROUP BY 1 ORDER BY 1`, range),
    pool.query<{ day: Date; zone_id: string; players: number }>(`
      SELECT date_trunc('day', occurred_at, 'UTC') AS day, zone_id, count(DISTINCT player_id)::int AS players
      FROM telemetry_events WHERE occurred_at >= $1 AND occurred_at < $2 AND player_id IS NOT NULL AND zone_id IS NOT NULL
      GROUP BY 1, 2 ORDER BY 1, 2`, range),
    pool.query<{ name: string; events: string }>(`
      SELECT name, sum(count)::text AS events FROM telemetry_daily
      WHERE bucket >= $1 AND bucket < $2 AND name = ANY($3) GROUP BY name`, [...range, FUNNEL]),
    pool.query<{ s1: number; s2: number; s3: number; s4: number }>(`
      WITH p AS (
        SELECT player_id, bool_or(name = $3) AS a, bool_or(name = $4) AS b, bool_or(name = $5) AS c, bool_or(name = $6) AS d
        FROM telemetry_events
        WHERE occurred_at >= $1 AND occurred_at < $2 AND player_id IS NOT NULL AND name IN ($3, $4, $5, $6)
        GROUP BY player_id)
      SELECT count(*) FILTER (WHERE a)::int AS s1, count(*) FILTER (WHERE a AND b)::int AS s2,
        count(*) FILTER (WHERE a AND b AND c)::int AS s3, count(*) FILTER (WHERE a AND b AND c AND d)::int AS s4
      FROM p`, [...range, ...FUNNEL]),
    pool.query<{ cohort: Date; players: number; d1: number; d7: number; d30: number }>(`
      WITH cohort AS (
        SELECT player_id, date_trunc('day', min(occurred_at), 'UTC') AS day
        FROM telemetry_events WHERE name = 'session_started' AND player_id IS NOT NULL AND occurred_at < $2
        GROUP BY player_id HAVING min(occurred_at) >= $1),
      seen AS (
        SELECT c.player_id, c.day,
          ${RETENTION_DAYS.map((n) => `bool_or(e.occurred_at >= c.day + interval '${24 * n} hours' AND e.occurred_at < c.day + interval '${24 * n + 24} hours') AS d${n}`).join(',\n          ')}
        FROM cohort c JOIN telemetry_events e ON e.player_id = c.player_id
          AND e.occurred_at >= $1::timestamptz + interval '24 hours' AND e.occurred_at < $2::timestamptz + interval '744 hours'
        GROUP BY c.player_id, c.day)
      SELECT c.day AS cohort, count(*)::int AS players,
        ${RETENTION_DAYS.map((n) => `(count(*) FILTER (WHERE s.d${n}))::int AS d${n}`).join(', ')}
      FROM cohort c LEFT JOIN seen s USING (player_id) GROUP BY c.day ORDER BY c.day`, range),
  ]);
  const events = new Map(steps.rows.map((r) => [r.name, Number(r.events)]));
  const r = reached.rows[0] ?? { s1: 0, s2: 0, s3: 0, s4: 0 };
  const playersAt = [r.s1, r.s2, r.s3, r.s4];
  const started = (cohort: Date, n: number) => cohort.getTime() + n * 86_400_000 <= now.getTime();
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    activePlayers: active.rows.map((a) => ({ day: day(a.day), players: a.players })),
    activeByZone: byZone.rows.filter((z) => z.zone_id !== NIL_UUID).map((z) => ({ day: day(z.day), zoneId: z.zone_id, players: z.players })),
    funnel: FUNNEL.map((step, i) => ({ step, events: events.get(step) ?? 0, players: playersAt[i] ?? 0 })),
    retention: cohorts.rows.map((c) => ({
      cohort: day(c.cohort),
      players: c.players,
      d1: started(c.cohort, 1) ? c.d1 : null,
      d7: started(c.cohort, 7) ? c.d7 : null,
      d30: started(c.cohort, 30) ? c.d30 : null,
    })),
  };
}
