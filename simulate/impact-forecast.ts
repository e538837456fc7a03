// A forecast of one metric of the ledger's monthly history for one scope: the
// body of POST /simulate/{national,regional,cohort}-impact and the forecast of
// GET /api/government/policy-insights.
import type pg from 'pg';
import { forecastSeries, type Forecast } from './forecast.ts';
import { METRIC_UNITS, monthlyHistory, type Metric, type Scope } from './history.ts';
import { addMonths } from './months.ts';

export interface ImpactForecast {
  scope: Scope;
  metric: Metric;
  unit: string;
  /** first forecast month; the history is every complete month before it */
  asOf: string;
  history: { month: string; value: number }[];
  forecast: { month: string; point: number; lower80: number; upper80: number; lower95: number; upper95: number }[];
  model: Omit<Forecast, 'points'>;
}

/** Throws InsufficientHistoryError (forecast.ts) when the scope has too few months. */
export async function forecastImpact(pool: pg.Pool, scope: Scope, metric: Metric, asOf: string, horizon = 12): Promise<ImpactForecast> {
  const h = await monthlyHistory(pool, scope, asOf);
  const values = h.values[metric];
  const { points, ...model } = forecastSeries(values, horizon);
  return {
    scope, metric, unit: METRIC_UNITS[metric], asOf,
    history: h.months.map((month, i) => ({ month, value: values[i]! })),
    forecast: points.map((p, i) => ({ month: addMonths(asOf, i), ...p })),
    model,
  };
}
