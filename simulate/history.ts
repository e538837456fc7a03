// Monthly history read from the impact ledger: per UTC month (by created_at)
// the ledger entries (verified actions), impact credits and Heart minted, for
// the whole ledger, one country, one zone or one cohort (players whose first
// ledger entry fell in a given month). Months without entries count as 0.
import type pg from 'pg';
import { monthRange, monthStart } from './months.ts';

export const METRICS = ['impactCredits', 'actions', 'heartMinted'] as const;
export type Metric = (typeof METRICS)[number];
export const METRIC_UNITS: Record<Metric, string> = { impactCredits: 'impact credits', actions: 'verified actions', heartMinted: 'HEART' };

export type Scope =
  | { kind: 'national'; countryCode?: string }
  | { kind: 'zone'; zoneId: string }
  | { kind: 'cohort'; cohort: string };

export interface MonthlyHistory {
  months: string[];
  values: Record<Metric, number[]>;
}

function scopeFilter(scope: Scope): { sql: string; params: unknown[] } {
  switch (scope.kind) {
    case 'national':
      return scope.countryCode ? { sql: 'z.country_code = $2', params: [scope.countryCode] } : { sql: 'TRUE', params: [] };
    case 'zone':
      return { sql: 'z.id = $2::uuid', params: [scope.zoneId] };
    case 'cohort':
      return {
        sql: `l.player_address IN (SELECT player_address FROM ledger_entries GROUP BY player_address
                                    HAVING to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM') = $2)`,
        params: [scope.cohort],
      };
  }
}

/** Complete months of `scope` before `asOf` (exclusive), from its first month with an entry. */
export async function monthlyHistory(pool: pg.Pool, scope: Scope, asOf: string): Promise<MonthlyHistory> {
  const filter = scopeFilter(scope);
  const { rows } = await pool.query<{ month: string; actions: number; credits: number; heart: number }>(
    `SELECT to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, count(*)::int AS actions,
            sum(l.impact_credits)::float8 AS credits, (sum(l.heart) / 1e18)::float8 AS heart
       FROM ledger_entries l JOIN actions a ON a.id = l.action_id JOIN missions m ON m.id = a.mission_id JOIN zones z ON z.id = m.zone_id
      WHERE l.created_at < $1 AND ${filter.sql}
      GROUP BY 1 ORDER BY 1`,
    [monthStart(asOf), ...filter.params],
  );
  const first = rows[0];
  const months = first ? monthRange(first.month, asOf) : [];
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  const pick = (f: (r: { actions: number; credits: number; heart: number }) => number) => months.map((m) => {
    const r = byMonth.get(m);
    return r ? f(r) : 0;
  });
  return { months, values: { impactCredits: pick((r) => r.credits), actions: pick((r) => r.actions), heartMinted: pick((r) => r.heart) } };
}
