// Early warning: a zone's week is unusual when it falls below its own normal
// range, mean − 2σ of its trailing weeks. σ has a floor so a perfectly steady
// history (σ = 0) does not turn a tiny dip into an alarm.

export const SIGMAS = 2;
/** Fewer baseline weeks than this and no verdict is given. */
export const MIN_BASELINE_WEEKS = 4;

export interface DropCheck {
  fired: boolean;
  mean: number;
  sd: number;
  /** The value below which the week counts as a drop. */
  threshold: number;
  current: number;
  baselineWeeks: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Sample standard deviation (0 for one value). */
export function stdDev(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * Whether `current` dropped below mean − SIGMAS·max(σ, sdFloor(mean)) of
 * `baseline`; null when there is no current value or too short a baseline.
 */
export function dropBelowNormal(baseline: number[], current: number | null, sdFloor: (mean: number) => number): DropCheck | null {
  if (current === null || baseline.length < MIN_BASELINE_WEEKS) return null;
  const m = mean(baseline);
  const sd = stdDev(baseline);
  const threshold = m - SIGMAS * Math.max(sd, sdFloor(m));
  return { fired: current < threshold, mean: m, sd, threshold, current, baselineWeeks: baseline.length };
}

/** Weekly activity: σ at least one event and 10% of the mean. */
export const activityFloor = (m: number) => Math.max(1, 0.1 * m);
/** Mean AFINN comparative sentiment: σ at least 0.1. */
export const sentimentFloor = () => 0.1;

/** Least-squares slope of the points (x = week index) that have a value; null below two points. */
export function trend(values: (number | null)[]): number | null {
  const pts = values.flatMap((y, x) => (y === null ? [] : [[x, y] as const]));
  if (pts.length < 2) return null;
  const mx = mean(pts.map(([x]) => x));
  const my = mean(pts.map(([, y]) => y));
  const sxx = pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx;
}
