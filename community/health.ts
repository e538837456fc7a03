// Community health per zone, week by week: participation, engagement,
// sentiment and its trend, and the early-warning verdicts. Weeks start on
// Monday 00:00 UTC; the reported week is the last complete one before `asOf`.
import type { Db } from '../lib/db.ts';
import { activityFloor, dropBelowNormal, sentimentFloor, trend } from './early-warning.ts';

const WEEK_MS = 7 * 86_400_000;
/** A week's mean sentiment counts only with at least this many comments. */
export const MIN_COMMENTS_FOR_SENTIMENT = 3;

/** Monday 00:00 UTC of the week containing `d`. */
export function weekStart(d: Date): Date {
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return new Date(day - ((new Date(day).getUTCDay() + 6) % 7) * 86_400_000);
}

interface WeekRow {
  zone_id: string; week: number; actions: number; comments: number; witnesses: number; upvotes: number;
  active_players: number; sentiment: number | null;
}

export interface WeekStats {
  weekStart: string;
  actions: number; comments: number; witnesses: number; upvotes: number;
  /** actions + comments + witnesses + upvotes: the activity the early warning watches. */
  activity: number;
  activePlayers: number;
  /** Mean AFINN comparative sentiment of the week's comments; null below MIN_COMMENTS_FOR_SENTIMENT. */
  sentiment: number | null;
}

export interface HealthOptions {
  asOf: Date;
  /** Trailing weeks forming each zone's normal range. */
  baselineWeeks: number;
  zoneId?: string;
}

/** Health of every zone (or one), warnings first. */
export async function communityHealth(db: Db, { asOf, baselineWeeks, zoneId }: HealthOptions) {
  const end = weekStart(asOf);
  const from = new Date(end.getTime() - (baselineWeeks + 1) * WEEK_MS);
  const zones = await db.$queryRaw<{ id: string; name: string; members: number }[]>`
    SELECT z.id::text, z.name, count(p.id)::int AS members
      FROM zones z LEFT JOIN players p ON p.home_zone_id = z.id
     WHERE ${zoneId ?? null}::uuid IS NULL OR z.id = ${zoneId ?? null}::uuid
     GROUP BY z.id, z.name`;
  // Every interaction in the window, attributed to a zone and a player.
  const rows = await db.$queryRaw<WeekRow[]>`
    WITH ev AS (
      SELECT m.zone_id, a.player_id AS actor, a.submitted_at AS at, 'action' AS kind, NULL::float8 AS sentiment
        FROM actions a JOIN missions m ON m.id = a.mission_id WHERE a.submitted_at >= ${from} AND a.submitted_at < ${end}
      UNION ALL
      SELECT c.zone_id, c.author_id, c.created_at, 'comment', c.sentiment
        FROM comments c WHERE c.created_at >= ${from} AND c.created_at < ${end}
      UNION ALL
      SELECT m.zone_id, w.witness_id, w.created_at, 'witness', NULL
        FROM witnesses w JOIN actions a ON a.id = w.action_id JOIN missions m ON m.id = a.mission_id WHERE w.created_at >= ${from} AND w.created_at < ${end}
      UNION ALL
      SELECT m.zone_id, u.player_id, u.created_at, 'upvote', NULL
        FROM upvotes u JOIN actions a ON a.id = u.action_id JOIN missions m ON m.id = a.mission_id WHERE u.created_at >= ${from} AND u.created_at < ${end}
    )
    SELECT zone_id::text, floor(extract(epoch FROM at - ${from}::timestamptz) / 604800)::int AS week,
           count(*) FILTER (WHERE kind = 'action')::int AS actions, count(*) FILTER (WHERE kind = 'comment')::int AS comments,
           count(*) FILTER (WHERE kind = 'witness')::int AS witnesses, count(*) FILTER (WHERE kind = 'upvote')::int AS upvotes,
           count(DISTINCT actor)::int AS active_players,
           CASE WHEN count(sentiment) >= ${MIN_COMMENTS_FOR_SENTIMENT} THEN avg(sentiment)::float8 END AS sentiment
      FROM ev WHERE ${zoneId ?? null}::uuid IS NULL OR zone_id = ${zoneId ?? null}::uuid
     GROUP BY 1, 2`;
  const byZone = new Map<string, Map<number, WeekRow>>();
  for (const r of rows) byZone.set(r.zone_id, (byZone.get(r.zone_id) ?? new Map()).set(r.week, r));

  const report = zones.map((z) => {
    const weeks: WeekStats[] = Array.from({ length: baselineWeeks + 1 }, (_, i) => {
      const r = byZone.get(z.id)?.get(i);
      const [actions, comments, witnesses, upvotes] = [r?.actions ?? 0, r?.comments ?? 0, r?.witnesses ?? 0, r?.upvotes ?? 0];
      return {
        weekStart: new Date(from.getTime() + i * WEEK_MS).toISOString(), actions, comments, witnesses, upvotes,
        activity: actions + comments + witnesses + upvotes, activePlayers: r?.active_players ?? 0, sentiment: r?.sentiment ?? null,
      };
    });
    const current = weeks[weeks.length - 1] as WeekStats;
    const history = weeks.slice(0, -1);
    // The normal range starts at the zone's first active week: quiet weeks before it existed are not its normal.
    const first = history.findIndex((w) => w.activity > 0);
    const lived = first < 0 ? [] : history.slice(first);
    const activity = dropBelowNormal(lived.map((w) => w.activity), current.activity, activityFloor);
    const sentiment = dropBelowNormal(history.flatMap((w) => (w.sentiment === null ? [] : [w.sentiment])), current.sentiment, sentimentFloor);
    return {
      zoneId: z.id, name: z.name, members: z.members,
      week: {
        ...current,
        participationRate: z.members > 0 ? current.activePlayers / z.members : null,
        engagementPerAction: current.actions > 0 ? (current.comments + current.witnesses + current.upvotes) / current.actions : null,
      },
      sentimentTrend: trend(weeks.map((w) => w.sentiment)),
      history,
      warning: { raised: Boolean(activity?.fired || sentiment?.fired), activity, sentiment },
    };
  });
  report.sort((a, b) => Number(b.warning.raised) - Number(a.warning.raised) || a.name.localeCompare(b.name));
  return { asOf: asOf.toISOString(), weekStart: new Date(end.getTime() - WEEK_MS).toISOString(), weekEnd: end.toISOString(), baselineWeeks, zones: report };
}
