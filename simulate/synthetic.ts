// Seeded synthetic monthly history for the forecast backtest. For month t
// (0-based) of series k:
//
//   y_t = L + b·t + A·sin(2πt/12 + φ) + (A/3)·sin(4πt/12 + 2φ) + e_t,   e_t = 0.35·e_{t-1} + ε_t,  ε_t ~ N(0, σ²)
//
// with, drawn per series from the seed: level L ∈ [400, 1200] (impact credits
// a month), trend b ∈ [0.5%, 2%] of L per month, seasonal amplitude
// A ∈ [15%, 30%] of L, phase φ ∈ [0, 2π), noise σ ∈ [4%, 8%] of L. Values are
// clamped at 0. The same seed always gives the same series (mulberry32 PRNG,
// Box–Muller normals).

import { mulberry32 } from '../lib/mulberry32.ts';

/** A seedable PRNG returning [0, 1). */
export const prng = mulberry32;

export interface SyntheticSeries {
  values: number[];
  params: { level: number; trend: number; amplitude: number; phase: number; sigma: number };
}

export function syntheticMonthly(seed: number, months: number): SyntheticSeries {
  const rnd = prng(seed);
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * rnd();
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const level = uniform(400, 1200);
  const params = {
    level, trend: uniform(0.005, 0.02) * level, amplitude: uniform(0.15, 0.3) * level,
    phase: uniform(0, 2 * Math.PI), sigma: uniform(0.04, 0.08) * level,
  };
  let e = 0;
  const values = Array.from({ length: months }, (_, t) => {
    e = 0.35 * e + params.sigma * normal();
    const season = params.amplitude * Math.sin((2 * Math.PI * t) / 12 + params.phase) + (params.amplitude / 3) * Math.sin((4 * Math.PI * t) / 12 + 2 * params.phase);
    return Math.max(0, params.level + params.trend * t + season + e);
  });
  return { values, params };
}
