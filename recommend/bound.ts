import { haversineM } from '../verifier/geo.ts';
import { CHOICE_KM } from './choice.ts';
import { candidates, type Profile } from './features.ts';
import { CATEGORIES, type MissionRow } from './history.ts';
import { LATENT, SIM_RULE, type SimTruth, type SimWorld } from './sim.ts';
import type { Split } from './split.ts';

/**
 * A bound for any recommender learnt from the same history. It ranks by the
 * simulator's own choice rule with everything about missions known (quality,
 * latent vector, time slot), the exact alternatives of each past choice with
 * their time-of-day and friends utility, the true population priors and each
 * player's time-of-day habit. Only a player's own parameters (travel tolerance,
 * category tastes, latent tastes, difficulty comfort) are estimated: maximum a
 * posteriori from their choices before the cutoff, by Newton's method on the
 * (concave) conditional logit for each comfort on a grid. A real recommender
 * has none of that knowledge; the bound says how much of the gap to the
 * ceiling is the noise of ~15 sampled choices a player.
 */

const NC = CATEGORIES.length;
/** Player parameters: km slope, one per category, the latent tastes. */
const D = 1 + NC + LATENT;
const COMFORT_GRID = Array.from({ length: 13 }, (_, i) => SIM_RULE.comfort[0] + (i * (SIM_RULE.comfort[1] - SIM_RULE.comfort[0])) / 12);
const NEWTON_STEPS = 12;

/** The prior of the player parameters: −1/tolerance for tolerance uniform on [a, b]; categories N(0, sd²); latent N(0, 1). */
function prior(): { mean: number[]; precision: number[] } {
  const [a, b] = SIM_RULE.tolKm;
  const m1 = Math.log(b / a) / (b - a), m2 = (1 / a - 1 / b) / (b - a);
  return {
    mean: [-m1, ...CATEGORIES.map(() => 0), ...Array.from({ length: LATENT }, () => 0)],
    precision: [1 / (m2 - m1 * m1), ...CATEGORIES.map(() => 1 / SIM_RULE.categorySd ** 2), ...Array.from({ length: LATENT }, () => 1)],
  };
}

/** Regressors of mission m for a player at `home`: km, the weighed category indicator, the weighed latent vector. */
function regressors(truth: SimTruth, home: { latitude: number; longitude: number }, m: MissionRow): Float64Array {
  const x = new Float64Array(D);
  x[0] = haversineM(home, m) / 1000;
  x[1 + CATEGORIES.indexOf(m.type)] = SIM_RULE.category;
  const taste = truth.missions.get(m.id)?.taste ?? [];
  for (let k = 0; k < LATENT; k++) x[1 + NC + k] = (SIM_RULE.latent * (taste[k] ?? 0)) / Math.sqrt(LATENT);
  return x;
}

/** Solves A·x = b for a symmetric positive-definite A (Cholesky), in place of b. */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    let s = a[i * n + j]!;
    for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
    l[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j * n + j]!;
  }
  for (let i = 0; i < n; i++) { for (let k = 0; k < i; k++) b[i]! -= l[i * n + k]! * b[k]!; b[i]! /= l[i * n + i]!; }
  for (let i = n - 1; i >= 0; i--) { for (let k = i + 1; k < n; k++) b[i]! -= l[k * n + i]! * b[k]!; b[i]! /= l[i * n + i]!; }
  return b;
}

interface Choice { x: Float64Array[]; fixed: number[]; chosen: number }

/** MAP of one player's parameters for one comfort; returns them and the negative log posterior. */
function fitPlayer(choices: Choice[], pr: ReturnType<typeof prior>): { theta: Float64Array; loss: number } {
  const theta = Float64Array.from(pr.mean);
  let loss = 0;
  for (let step = 0; step <= NEWTON_STEPS; step++) {
    const g = new Float64Array(D), h = new Float64Array(D * D);
    loss = 0;
    for (let i = 0; i < D; i++) {
      const dev = theta[i]! - pr.mean[i]!;
      g[i] = pr.precision[i]! * dev;
      h[i * D + i] = pr.precision[i]!;
      loss += (pr.precision[i]! * dev * dev) / 2;
    }
    for (const c of choices) {
      const u = c.x.map((x, k) => x.reduce((a, v, i) => a + v * theta[i]!, c.fixed[k]!));
      const max = Math.max(...u);
      const e = u.map((v) => Math.exp(v - max));
      const z = e.reduce((a, b) => a + b, 0);
      loss -= u[c.chosen]! - max - Math.log(z);
      const mean = new Float64Array(D);
      c.x.forEach((x, k) => { for (let i = 0; i < D; i++) mean[i]! += (e[k]! / z) * x[i]!; });
      const xc = c.x[c.chosen]!;
      for (let i = 0; i < D; i++) g[i]! -= xc[i]! - mean[i]!;
      c.x.forEach((x, k) => {
        const p = e[k]! / z;
        for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) h[i * D + j]! += p * (x[i]! - mean[i]!) * (x[j]! - mean[j]!);
      });
    }
    if (step === NEWTON_STEPS) break;
    const delta = solveSpd(h, g, D);
    for (let i = 0; i < D; i++) theta[i]! -= delta[i]!;
  }
  return { theta, loss };
}

/** What the bound may be told less of, to see which hidden mission parameter its lead rests on. */
export interface BoundOptions {
  /** Each mission's own effect as a model estimated it, in place of the simulator's quality. */
  missionEffect?: (missionId: string) => number;
  /** Without the missions' latent vectors (the latent tastes drop out). */
  withoutLatent?: boolean;
}

/** The truth with `opts` applied: estimated mission effects (also in each past option's known utility), no latent vectors. */
function told(truth: SimTruth, opts: BoundOptions): SimTruth {
  const effect = opts.missionEffect;
  const missions = new Map([...truth.missions].map(([id, m]) => [id, {
    ...m, quality: effect ? effect(id) : m.quality, taste: opts.withoutLatent ? m.taste.map(() => 0) : m.taste,
  }]));
  const shift = (id: string) => (missions.get(id)?.quality ?? 0) - (truth.missions.get(id)?.quality ?? 0);
  const choices = effect ? truth.choices.map((c) => ({ ...c, options: c.options.map((o) => ({ ...o, known: o.known + shift(o.missionId) })) })) : truth.choices;
  return { ...truth, missions, choices };
}

/** Ranks each player's candidates by the bound's estimate (needs a world simulated with `record`). */
export function boundRanker(world: SimWorld, split: Split, opts: BoundOptions = {}): (profile: Profile) => string[] {
  if (!world.truth) throw new Error('the bound needs simulateWorld({ record: true })');
  const truth = told(world.truth, opts);
  const { ctx } = split;
  const pr = prior();
  const homes = new Map(world.history.players.map((p) => [p.id, p.home]));
  const perPlayer = new Map<string, { x: Float64Array[]; known: number[]; difficulty: number[]; chosen: number }[]>();
  for (const c of truth.choices) {
    const home = homes.get(c.playerId);
    if (c.at >= split.cutoff || !home) continue;
    const options = c.options.map((o) => ({ o, m: ctx.missions.get(o.missionId) })).filter((x): x is { o: typeof x.o; m: MissionRow } => x.m !== undefined);
    const list = perPlayer.get(c.playerId) ?? [];
    list.push({
      x: options.map(({ m }) => regressors(truth, home, m)), known: options.map(({ o }) => o.known),
      difficulty: options.map(({ m }) => m.difficulty), chosen: options.findIndex(({ o }) => o.missionId === c.chosen),
    });
    perPlayer.set(c.playerId, list);
  }
  const estimates = new Map<string, { theta: Float64Array; comfort: number }>();
  for (const [playerId, list] of perPlayer) {
    let best: { theta: Float64Array; comfort: number; loss: number } = { theta: Float64Array.from(pr.mean), comfort: 0, loss: Infinity };
    for (const comfort of COMFORT_GRID) {
      const choices = list.map((c) => ({ x: c.x, chosen: c.chosen, fixed: c.known.map((k, i) => k - SIM_RULE.difficulty * Math.abs((c.difficulty[i] ?? 0) - comfort)) }));
      const fit = fitPlayer(choices, pr);
      if (fit.loss < best.loss) best = { ...fit, comfort };
    }
    estimates.set(playerId, best);
  }
  const population = { theta: Float64Array.from(pr.mean), comfort: (SIM_RULE.comfort[0] + SIM_RULE.comfort[1]) / 2 };
  return (profile) => {
    const home = profile.player.home;
    const e = estimates.get(profile.player.id) ?? population;
    const slots = truth.slots.get(profile.player.id) ?? [];
    const score = (m: MissionRow) => {
      if (!home || haversineM(home, m) / 1000 > CHOICE_KM) return -Infinity;
      const t = truth.missions.get(m.id);
      const x = regressors(truth, home, m);
      return x.reduce((a, v, i) => a + v * e.theta[i]!, 0) + (t?.quality ?? 0) - SIM_RULE.difficulty * Math.abs(m.difficulty - e.comfort) + SIM_RULE.slot * (slots[t?.slot ?? 0] ?? 0);
    };
    return candidates(ctx, profile).map((m) => ({ id: m.id, s: score(m) })).sort((a, b) => b.s - a.s || a.id.localeCompare(b.id)).map((x) => x.id);
  };
}
