// Monthly forecasts with 80% and 95% intervals. The model depends on how much
// history there is (the ladder below); every forecast says which one it used
// and, when it fell back to a simpler one, why.
//
// Trend: a least-squares line is removed first and added back, because the
// `arima` package fits no drift/mean term once the series is differenced.
// Interval variance = the ARIMA h-step error variance + the trend line's own
// uncertainty at that step. Values are counts and sums of non-negative
// amounts, so points and bounds are clamped at 0.
import { fitAndPredict, minimumLength, type ArimaOrder } from './arima.ts';
import { fitLinearTrend, tQuantile, Z, type LinearTrend } from './linear-trend.ts';

export type ForecastMethod = 'sarima' | 'seasonal-index' | 'arima' | 'linear-trend';

export interface ForecastPoint {
  point: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

export interface Forecast {
  method: ForecastMethod;
  /** the fitted model in words */
  spec: string;
  historyMonths: number;
  /** true when the history was too short (or the fit failed) for the seasonal model */
  fallback: boolean;
  note: string | null;
  points: ForecastPoint[];
}

/** Fewer months than this cannot be forecast (a line needs 3 points to have an error). */
export const MIN_HISTORY_MONTHS = 3;
const SEASON = 12;

interface Rung { method: Exclude<ForecastMethod, 'linear-trend'>; order: ArimaOrder; spec: string; seasonalIndex?: true; minMonths?: number }
const LADDER: Rung[] = [
  { method: 'sarima', order: { p: 1, d: 0, q: 0, P: 0, D: 1, Q: 1, s: SEASON }, spec: 'SARIMA(1,0,0)(0,1,1)[12] on the linearly detrended series' },
  {
    method: 'seasonal-index', order: { p: 1, d: 0, q: 0 }, seasonalIndex: true, minMonths: SEASON + 1,
    spec: 'ARIMA(1,0,0) on the linearly detrended series less its mean per calendar month',
  },
  { method: 'arima', order: { p: 1, d: 0, q: 0 }, spec: 'ARIMA(1,0,0) on the linearly detrended series (no seasonality)' },
];
const SEASONAL_MIN = minimumLength(LADDER[0]!.order);

export class InsufficientHistoryError extends Error {
  override name = 'InsufficientHistoryError';
  constructor(readonly months: number) {
    super(`${months} month(s) of history; a forecast needs at least ${MIN_HISTORY_MONTHS}`);
  }
}

const clamp0 = (v: number) => Math.max(0, v);

function interval(point: number, se: number, q80: number, q95: number): ForecastPoint {
  return {
    point: clamp0(point),
    lower80: clamp0(point - q80 * se), upper80: clamp0(point + q80 * se),
    lower95: clamp0(point - q95 * se), upper95: clamp0(point + q95 * se),
  };
}

/** Exact maximum likelihood first; when it fails to converge (NaN out of ctsa), conditional sum of squares. */
const ESTIMATIONS = [{ method: 0, name: 'exact ML' }, { method: 1, name: 'conditional sum of squares' }] as const;

/**
 * Mean detrended value per calendar month (position t mod 12) and the variance
 * of that mean; the remainder's variance is inflated by n / (n - 13) for the 12
 * means and the line fitted from the same n points.
 */
function seasonalIndex(residuals: number[]): { index: number[]; remainder: number[]; indexVariance: number[]; inflation: number } {
  const sums = Array<number>(SEASON).fill(0), counts = Array<number>(SEASON).fill(0);
  residuals.forEach((r, t) => {
    sums[t % SEASON]! += r;
    counts[t % SEASON]! += 1;
  });
  const index = sums.map((s, m) => (counts[m]! > 0 ? s / counts[m]! : 0));
  const remainder = residuals.map((r, t) => r - index[t % SEASON]!);
  const n = residuals.length;
  const inflation = n / Math.max(1, n - SEASON - 1);
  const variance = (remainder.reduce((a, r) => a + r * r, 0) / n) * inflation;
  return { index, remainder, indexVariance: counts.map((c) => (c > 0 ? variance / c : variance)), inflation };
}

function viaArima(history: readonly number[], trend: LinearTrend, rung: Rung, horizon: number): { points: ForecastPoint[]; estimation: string } | null {
  const n = history.length;
  const detrended = history.map((v, t) => v - trend.at(t));
  const season = rung.seasonalIndex ? seasonalIndex(detrended) : null;
  const residuals = season ? season.remainder : detrended;
  for (const e of ESTIMATIONS) {
    let fit: { point: number[]; variance: number[] };
    try {
      fit = fitAndPredict(residuals, { ...rung.order, method: e.method }, horizon);
    } catch {
      continue;
    }
    if (season) {
      fit = {
        point: fit.point.map((p, h) => p + season.index[(n + h) % SEASON]!),
        variance: fit.variance.map((v, h) => v * season.inflation + season.indexVariance[(n + h) % SEASON]!),
      };
    }
    const points = withIntervals(fit, trend, n, horizon);
    if (points) return { points, estimation: e.name };
  }
  return null;
}

function withIntervals(fit: { point: number[]; variance: number[] }, trend: LinearTrend, n: number, horizon: number): ForecastPoint[] | null {
  const points: ForecastPoint[] = [];
  for (let h = 0; h < horizon; h++) {
    const t = n + h;
    const lineVariance = trend.predictionSe(t) ** 2 - trend.residualSd ** 2;
    const variance = (fit.variance[h] ?? NaN) + lineVariance;
    const point = (fit.point[h] ?? NaN) + trend.at(t);
    if (!Number.isFinite(point) || !Number.isFinite(variance) || variance < 0) return null;
    points.push(interval(point, Math.sqrt(variance), Z[80], Z[95]));
  }
  return points;
}

function viaLine(trend: LinearTrend, horizon: number): ForecastPoint[] {
  const df = trend.n - 2;
  return Array.from({ length: horizon }, (_, h) =>
    interval(trend.at(trend.n + h), trend.predictionSe(trend.n + h), tQuantile(80, df), tQuantile(95, df)));
}

/**
 * `horizon` monthly forecasts following `history` (oldest first, one value per
 * month, no gaps). Throws InsufficientHistoryError below MIN_HISTORY_MONTHS.
 */
export function forecastSeries(history: readonly number[], horizon = 12): Forecast {
  const n = history.length;
  if (n < MIN_HISTORY_MONTHS) throw new InsufficientHistoryError(n);
  const trend = fitLinearTrend(history);
  const reasons: string[] = [];
  for (const rung of LADDER) {
    const needed = Math.max(minimumLength(rung.order), rung.minMonths ?? 0);
    if (n < needed) {
      reasons.push(`${rung.method} needs ${needed} months`);
      continue;
    }
    const fit = viaArima(history, trend, rung, horizon);
    if (fit) {
      return { method: rung.method, spec: `${rung.spec}, ${fit.estimation}`, historyMonths: n, fallback: rung.method !== 'sarima', note: note(n, reasons), points: fit.points };
    }
    reasons.push(`${rung.method} did not converge`);
  }
  return {
    method: 'linear-trend', spec: 'least-squares linear trend with Student-t prediction intervals', historyMonths: n,
    fallback: true, note: note(n, reasons), points: viaLine(trend, horizon),
  };
}

function note(n: number, reasons: string[]): string | null {
  if (reasons.length === 0) return null;
  return `${n} months of history (the seasonal model needs ${SEASONAL_MIN}): ${reasons.join('; ')}; used a simpler model`;
}
