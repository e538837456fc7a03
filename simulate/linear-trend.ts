// Ordinary least squares line through a series indexed 0..n-1, and the
// prediction interval of a new point on it.

export interface LinearTrend {
  intercept: number;
  slope: number;
  /** residual standard error (n - 2 degrees of freedom); 0 when n <= 2 */
  residualSd: number;
  n: number;
  at(t: number): number;
  /** standard error of a new observation at index t (line uncertainty + noise) */
  predictionSe(t: number): number;
}

export function fitLinearTrend(y: readonly number[]): LinearTrend {
  const n = y.length;
  if (n === 0) throw new RangeError('fitLinearTrend: empty series');
  const meanT = (n - 1) / 2;
  const meanY = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0, sxy = 0;
  y.forEach((v, t) => {
    sxx += (t - meanT) ** 2;
    sxy += (t - meanT) * (v - meanY);
  });
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = meanY - slope * meanT;
  const sse = y.reduce((a, v, t) => a + (v - intercept - slope * t) ** 2, 0);
  const residualSd = n > 2 ? Math.sqrt(sse / (n - 2)) : 0;
  return {
    intercept, slope, residualSd, n,
    at: (t) => intercept + slope * t,
    predictionSe: (t) => residualSd * Math.sqrt(1 + 1 / n + (sxx > 0 ? (t - meanT) ** 2 / sxx : 0)),
  };
}

/** Two-sided z quantiles of the normal distribution. */
export const Z = { 80: 1.2815515655446004, 95: 1.959963984540054 } as const;

// Student t quantiles (two-sided 80% and 95%) for 1..30 degrees of freedom; beyond, the normal.
const T80 = [3.078, 1.886, 1.638, 1.533, 1.476, 1.44, 1.415, 1.397, 1.383, 1.372, 1.363, 1.356, 1.35, 1.345, 1.341,
  1.337, 1.333, 1.33, 1.328, 1.325, 1.323, 1.321, 1.319, 1.318, 1.316, 1.315, 1.314, 1.313, 1.311, 1.31];
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function tQuantile(level: 80 | 95, df: number): number {
  const table = level === 80 ? T80 : T95;
  return df >= 1 && df <= table.length ? table[df - 1]! : Z[level];
}
