// Policy insights for government oversight: recent monthly trends per zone
// and per mission type, cost per impact credit (Heart minted and sponsor
// funding per credit, over the whole ledger), and the national 12-month
// forecast of impact credits with its intervals.
import type pg from 'pg';
import { InsufficientHistoryError } from './forecast.ts';
import { readFunding } from './funding.ts';
import { forecastImpact, type ImpactForecast } from './impact-forecast.ts';
import { fitLinearTrend } from './linear-trend.ts';
import { addMonths, monthRange, monthStart } from './months.ts';

interface MonthFigures { month: string; actions: number; impactCredits: number; heart: number }

/** Trend of a window of months: least-squares slope of impact credits per month, and the second half against the first in %. */
function trendOf(series: MonthFigures[]) {
  const credits = series.map((s) => s.impactCredits);
  const half = Math.floor(credits.length / 2);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const first = sum(credits.slice(0, half)), second = sum(credits.slice(credits.length - half));
  return {
    impactCreditsPerMonth: credits.length >= 2 ? fitLinearTrend(credits).slope : 0,
    changePct: half > 0 && first > 0 ? (100 * (second - first)) / first : null,
  };
}

const totalsOf = (series: MonthFigures[]) => series.reduce(
  (t, s) => ({ actions: t.actions + s.actions, impactCredits: t.impactCredits + s.impactCredits, heart: t.heart + s.heart }),
  { actions: 0, impactCredits: 0, heart: 0 });

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

export async function policyInsights(pool: pg.Pool, asOf: string, months: number) {
  const from = addMonths(asOf, -months);
  const window = monthRange(from, asOf);
  const [rows, allTime, funding] = await Promise.all([
    pool.query<{ zone_id: string; type: string; month: string; actions: number; credits: number; heart: number }>(
      `SELECT z.id::text AS zone_id, m.type::text AS type, to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, count(*)::int AS actions,
              sum(l.impact_credits)::float8 AS credits, (sum(l.heart) / 1e18)::float8 AS heart
         FROM ledger_entries l JOIN actions a ON a.id = l.action_id JOIN missions m ON m.id = a.mission_id JOIN zones z ON z.id = m.zone_id
        WHERE l.created_at >= $1 AND l.created_at < $2
        GROUP BY 1, 2, 3`, [monthStart(from), monthStart(asOf)]),
    pool.query<{ zone_id: string; name: string; country_code: string; credits: number; heart: number }>(
      `SELECT z.id::text AS zone_id, z.name, z.country_code, sum(l.impact_credits)::float8 AS credits, (sum(l.heart) / 1e18)::float8 AS heart
         FROM ledger_entries l JOIN actions a ON a.id = l.action_id JOIN missions m ON m.id = a.mission_id JOIN zones z ON z.id = m.zone_id
        WHERE l.created_at < $1 GROUP BY z.id`, [monthStart(asOf)]),
    readFunding(pool),
  ]);

  const seriesBy = (key: (r: (typeof rows.rows)[number]) => string) => {
    const out = new Map<string, MonthFigures[]>();
    for (const r of rows.rows) {
      const k = key(r);
      const series = out.get(k) ?? window.map((month) => ({ month, actions: 0, impactCredits: 0, heart: 0 }));
      const m = series.find((s) => s.month === r.month);
      if (m) Object.assign(m, { actions: m.actions + r.actions, impactCredits: m.impactCredits + r.credits, heart: m.heart + r.heart });
      out.set(k, series);
    }
    return out;
  };

  const zoneSeries = seriesBy((r) => r.zone_id);
  const totalCredits = allTime.rows.reduce((a, z) => a + z.credits, 0);
  const totalHeart = allTime.rows.reduce((a, z) => a + z.heart, 0);
  const byZone = allTime.rows.map((z) => {
    const series = zoneSeries.get(z.zone_id) ?? window.map((month) => ({ month, actions: 0, impactCredits: 0, heart: 0 }));
    const zoneFunding = funding.byZone.get(z.zone_id) ?? 0n;
    return {
      zoneId: z.zone_id, name: z.name, countryCode: z.country_code.trim(), series, totals: totalsOf(series), trend: trendOf(series),
      costPerImpactCredit: { heart: ratio(z.heart, z.credits), funding: ratio(Number(zoneFunding), z.credits) },
    };
  }).sort((a, b) => b.totals.impactCredits - a.totals.impactCredits || a.zoneId.localeCompare(b.zoneId));
  const byMissionType = [...seriesBy((r) => r.type)].map(([type, series]) => {
    const totals = totalsOf(series);
    return { type, series, totals, trend: trendOf(series), costPerImpactCredit: { heart: ratio(totals.heart, totals.impactCredits) } };
  }).sort((a, b) => b.totals.impactCredits - a.totals.impactCredits || a.type.localeCompare(b.type));

  let forecast: ImpactForecast | null = null;
  let forecastUnavailable: string | null = null;
  try {
    forecast = await forecastImpact(pool, { kind: 'national' }, 'impactCredits', asOf);
  } catch (err) {
    if (!(err instanceof InsufficientHistoryError)) throw err;
    forecastUnavailable = err.message;
  }
  return {
    asOf, months: window, byZone, byMissionType,
    costPerImpactCredit: { heart: ratio(totalHeart, totalCredits), funding: ratio(Number(funding.total), totalCredits) },
    forecast, forecastUnavailable,
  };
}
