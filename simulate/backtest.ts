// Holdout backtest of a forecaster: fit on all but the last `holdout` months,
// forecast them, and score the forecasts against what happened.
import { forecastSeries, type ForecastPoint } from './forecast.ts';
import { Z } from './linear-trend.ts';

export type Forecaster = (history: readonly number[], horizon: number) => ForecastPoint[];

export interface BacktestScore {
  /** mean absolute percentage error over the held-out points, in % */
  mape: number;
  /** share of held-out points inside the 80% / 95% interval */
  coverage80: number;
  coverage95: number;
  /** mean width of the 95% interval relative to the actual value, in % */
  width95: number;
  points: number;
}

/** The model the API serves (forecast.ts). */
export const modelForecaster: Forecaster = (history, horizon) => forecastSeries(history, horizon).points;

/**
 * Seasonal naive: next year repeats last year. Its interval uses the standard
 * deviation (root mean square) of the in-sample seasonal differences y_t − y_{t−12}, widened by
 * √(k+1) for steps k full years ahead (Hyndman & Athanasopoulos, FPP3 §5.5).
 */
export const seasonalNaive: Forecaster = (history, horizon) => {
  const n = history.length;
  if (n < 13) throw new RangeError('seasonal naive needs more than 12 months');
  const diffs = history.slice(12).map((v, i) => v - history[i]!);
  const sd = Math.sqrt(diffs.reduce((a, d) => a + d * d, 0) / diffs.length);
  return Array.from({ length: horizon }, (_, h) => {
    const point = history[n - 12 + (h % 12)]!;
    const se = sd * Math.sqrt(Math.floor(h / 12) + 1);
    return { point, lower80: point - Z[80] * se, upper80: point + Z[80] * se, lower95: point - Z[95] * se, upper95: point + Z[95] * se };
  });
};

/** Scores `forecaster` on the last `holdout` months of each series, pooled over all series. */
export function backtest(series: readonly (readonly number[])[], forecaster: Forecaster, holdout = 6): BacktestScore {
  let ape = 0, in80 = 0, in95 = 0, width = 0, points = 0;
  for (const s of series) {
    const train = s.slice(0, s.length - holdout);
    const actual = s.slice(s.length - holdout);
    const forecast = forecaster(train, holdout);
    actual.forEach((y, h) => {
      const f = forecast[h]!;
      ape += Math.abs(y - f.point) / Math.abs(y);
      if (y >= f.lower80 && y <= f.upper80) in80++;
      if (y >= f.lower95 && y <= f.upper95) in95++;
      width += (f.upper95 - f.lower95) / Math.abs(y);
      points++;
    });
  }
  return { mape: (100 * ape) / points, coverage80: in80 / points, coverage95: in95 / points, width95: (100 * width) / points, points };
}
