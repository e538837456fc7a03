import { haversineM } from '../verifier/geo.ts';
import { Rng } from '../verifier/sim/prng.ts';
import { type Context, type Profile, RECENT_DAYS } from './features.ts';
import { CATEGORIES, type Completion, isOpen, maxDifficulty, type MissionRow } from './history.ts';
import { localSlot, SLOTS } from './time-of-day.ts';

/**
 * Per-player choice model: a conditional logit (softmax) over the missions each
 * player could have taken at each of their past completions: those open then,
 * not done yet, within their difficulty gate and CHOICE_KM of home. The
 * utility of a mission j for player u is
 *
 *   (β_dist + g_u,dist)·km/10 + (β_cat + g_u,cat)[type j] + (β_diff + g_u,diff)[difficulty j] + s_u·(difficulty j − 3)/2
 *   + β_slot·slot fit + β_friends·log(1 + friends who did j lately) + α_j + p_u·q_j
 *
 * with per-player deviations g_u (distance decay, category and difficulty
 * tastes), a per-player lean s_u toward harder or easier missions and latent tastes p_u·q_j (choice-aware factorisation: trained
 * against the alternatives the player actually had, not random negatives).
 * Gaussian priors (L2) shrink every player toward the population and every
 * mission effect α_j toward zero, so ~15 choices give a usable personal taste
 * and a player without any is scored by the population. Fitted by full-batch
 * Adam in plain TypeScript (the gradient of a softmax is p − y; the data are
 * ragged lists that tensors would pad ~5×).
 */

/** Missions farther than this from home are not counted as alternatives of a past choice. */
export const CHOICE_KM = 60;
const DAY = 86_400_000;
const KM_UNIT = 10;
const NC = CATEGORIES.length;
const ND = 5;
/** Per-player coefficient block: distance, one per category, one per difficulty, the difficulty lean. */
const NG = 1 + NC + ND + 1;
/** Index of the difficulty lean in a player's block. */
const SLOPE = NG - 1;
/** The lean's regressor for difficulty index d (0…ND−1): −1 for the easiest, +1 for the hardest. */
const diffX = (d: number) => (d - 2) / 2;

export interface ChoiceOptions {
  /** Rank of the latent tastes. */
  factors?: number;
  /**
   * Prior precisions (L2) of the per-player deviations: category tastes, per-difficulty tastes, the difficulty
   * lean, the distance slope; then of the mission effects and the latent tastes.
   */
  playerL2?: number;
  difficultyL2?: number;
  slopeL2?: number;
  distanceL2?: number;
  missionL2?: number;
  latentL2?: number;
  iterations?: number;
  learningRate?: number;
  seed?: number;
}

/**
 * Chosen on the development world (seed 3, `npm run recommend:eval -- --tune`), NDCG@10 of the choice model
 * alone: 0.4505 here. Per-difficulty tastes shrunk as loosely as the category ones (0.5) and no lean: 0.4385
 * (the old model); loose per-difficulty tastes with the lean 0.4382; no lean 0.4437; per-difficulty prior
 * 100 → 0.4480; lean prior 3 → 0.4461; category prior 1 → 0.4433 (0.3 → 0.4523, within noise); distance prior
 * 1 → 0.4487; no latent tastes 0.4354, 8 of them 0.4324; latent prior 5 → 0.4485; mission prior 0.5 → 0.4494.
 */
export const CHOICE_DEFAULTS: Required<ChoiceOptions> = { factors: 4, playerL2: 0.5, difficultyL2: 20, slopeL2: 10, distanceL2: 2, missionL2: 1, latentL2: 3, iterations: 250, learningRate: 0.05, seed: 5 };

export interface ChoiceModel {
  players: Map<string, number>;
  missions: Map<string, number>;
  factors: number;
  bDist: number;
  bCat: Float64Array;
  bDiff: Float64Array;
  bSlot: number;
  bFriends: number;
  alpha: Float64Array;
  /** Per player NG coefficients (distance, categories, difficulties). */
  g: Float64Array;
  p: Float64Array;
  q: Float64Array;
  /** Past choices it was fitted on. */
  choices: number;
}

/** One past choice: the alternatives (ragged, [start, end) in the option arrays) and which one was taken. */
interface Choices {
  player: Int32Array;
  start: Int32Array;
  chosen: Int32Array;
  mission: Int32Array;
  km: Float64Array;
  cat: Int32Array;
  diff: Int32Array;
  slot: Float64Array;
  friends: Float64Array;
}

const slotFit = (ctx: Context, missionId: string, slotProbs: readonly number[]) => {
  const ms = ctx.missionSlots.get(missionId);
  return ms ? Math.log(SLOTS.length * slotProbs.reduce((a, v, i) => a + v * (ms[i] ?? 0), 0)) : 0;
};
const oneHot = (slot: number) => SLOTS.map((_, i) => (i === slot ? 1 : 0));

function pastChoices(ctx: Context, completions: readonly Completion[], missionIndex: Map<string, number>, playerIndex: Map<string, number>): Choices {
  const missions = ctx.history.missions;
  const doneAt = new Map<string, number>();
  for (const c of completions) doneAt.set(`${c.playerId}|${c.missionId}`, c.at);
  const sorted = [...completions].sort((a, b) => a.at - b.at);
  const near = new Map<string, { m: MissionRow; km: number }[]>();
  const done = new Map<string, Set<string>>();
  const hardest = new Map<string, number>();
  const out = { player: [] as number[], start: [] as number[], chosen: [] as number[], mission: [] as number[], km: [] as number[], cat: [] as number[], diff: [] as number[], slot: [] as number[], friends: [] as number[] };
  for (const c of sorted) {
    const profile = ctx.profiles.get(c.playerId);
    const chosen = ctx.missions.get(c.missionId);
    const home = profile?.player.home;
    if (!profile || !chosen || !home) continue;
    let around = near.get(c.playerId);
    if (!around) near.set(c.playerId, (around = missions.map((m) => ({ m, km: haversineM(home, m) / 1000 })).filter((x) => x.km <= CHOICE_KM)));
    let mine = done.get(c.playerId);
    if (!mine) done.set(c.playerId, (mine = new Set()));
    // The level then comes from the ledger's XP before this completion. Without it: levels grow with √XP
    // (api/impact/formula.ts levelFor) and XP about evenly with completions, so it is estimated from the level
    // now, and the hardest difficulty taken so far is a floor. Either way the chosen mission was within the gate.
    const level = c.levelBefore ?? 1 + Math.floor((profile.level - 0.5) * Math.sqrt(mine.size / Math.max(1, profile.completions)));
    const floor = c.levelBefore === undefined ? (hardest.get(c.playerId) ?? 0) : 0;
    const gate = Math.max(maxDifficulty(level), floor, chosen.difficulty);
    const options = around.filter(({ m }) => m.id === chosen.id || (isOpen(m, c.at) && m.difficulty <= gate && !mine.has(m.id)));
    if (!options.some(({ m }) => m.id === chosen.id)) options.push({ m: chosen, km: haversineM(home, chosen) / 1000 });
    out.player.push(playerIndex.get(c.playerId) as number);
    out.start.push(out.mission.length);
    for (const { m, km } of options) {
      if (m.id === chosen.id) out.chosen.push(out.mission.length);
      let friends = 0;
      for (const f of profile.friends) {
        const t = doneAt.get(`${f}|${m.id}`);
        if (t !== undefined && t < c.at && c.at - t < RECENT_DAYS * DAY) friends++;
      }
      out.mission.push(missionIndex.get(m.id) as number);
      out.km.push(km / KM_UNIT);
      out.cat.push(CATEGORIES.indexOf(m.type));
      out.diff.push(Math.min(ND, Math.max(1, m.difficulty)) - 1);
      out.slot.push(slotFit(ctx, m.id, oneHot(localSlot(c.at, m.longitude))));
      out.friends.push(Math.log1p(friends));
    }
    mine.add(chosen.id);
    hardest.set(c.playerId, Math.max(hardest.get(c.playerId) ?? 0, chosen.difficulty));
  }
  out.start.push(out.mission.length);
  return {
    player: Int32Array.from(out.player), start: Int32Array.from(out.start), chosen: Int32Array.from(out.chosen), mission: Int32Array.from(out.mission),
    km: Float64Array.from(out.km), cat: Int32Array.from(out.cat), diff: Int32Array.from(out.diff), slot: Float64Array.from(out.slot), friends: Float64Array.from(out.friends),
  };
}

/** Adam over one flat parameter vector. */
class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  constructor(n: number, private readonly lr: number) {
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }
  step(theta: Float64Array, grad: Float64Array) {
    this.t++;
    const c1 = 1 - 0.9 ** this.t, c2 = 1 - 0.999 ** this.t;
    for (let i = 0; i < theta.length; i++) {
      const g = grad[i] ?? 0;
      const m = (this.m[i] = 0.9 * (this.m[i] ?? 0) + 0.1 * g);
      const v = (this.v[i] = 0.999 * (this.v[i] ?? 0) + 0.001 * g * g);
      theta[i] = (theta[i] ?? 0) - (this.lr * (m / c1)) / (Math.sqrt(v / c2) + 1e-8);
    }
  }
}

/** Fits the choice model on the completions in `ctx` (strictly before its asOf). */
export function fitChoiceModel(ctx: Context, opts: ChoiceOptions = {}): ChoiceModel {
  const o = { ...CHOICE_DEFAULTS, ...opts };
  const completions = ctx.history.completions.filter((c) => c.at < ctx.asOf);
  const missionIndex = new Map(ctx.history.missions.map((m, i) => [m.id, i]));
  const playerIndex = new Map<string, number>();
  for (const c of completions) if (!playerIndex.has(c.playerId)) playerIndex.set(c.playerId, playerIndex.size);
  const data = pastChoices(ctx, completions, missionIndex, playerIndex);
  const nM = missionIndex.size, nU = playerIndex.size, R = o.factors;
  // Layout of the parameter vector: population block, mission effects, per-player deviations, latent tastes.
  const POP = 1 + NC + ND + 2;
  const A0 = POP, G0 = A0 + nM, P0 = G0 + nU * NG, Q0 = P0 + nU * R, N = Q0 + nM * R;
  const theta = new Float64Array(N);
  const r = new Rng(o.seed);
  for (let i = P0; i < N; i++) theta[i] = r.normal(0, 0.1);
  const grad = new Float64Array(N);
  const adam = new Adam(N, o.learningRate);
  const events = data.player.length;
  const logits = new Float64Array(Math.max(1, ...Array.from({ length: events }, (_, e) => (data.start[e + 1] ?? 0) - (data.start[e] ?? 0))));
  for (let it = 0; it < o.iterations && events; it++) {
    grad.fill(0);
    for (let e = 0; e < events; e++) {
      const u = data.player[e] ?? 0, s = data.start[e] ?? 0, end = data.start[e + 1] ?? 0;
      const g = G0 + u * NG, pu = P0 + u * R;
      let max = -Infinity;
      for (let k = s; k < end; k++) {
        const j = data.mission[k] ?? 0, c = data.cat[k] ?? 0, d = data.diff[k] ?? 0, qj = Q0 + j * R;
        let l = (theta[0]! + theta[g]!) * data.km[k]! + theta[1 + c]! + theta[g + 1 + c]! + theta[1 + NC + d]! + theta[g + 1 + NC + d]!
          + theta[g + SLOPE]! * diffX(d) + theta[POP - 2]! * data.slot[k]! + theta[POP - 1]! * data.friends[k]! + theta[A0 + j]!;
        for (let f = 0; f < R; f++) l += theta[pu + f]! * theta[qj + f]!;
        logits[k - s] = l;
        if (l > max) max = l;
      }
      let z = 0;
      for (let k = s; k < end; k++) z += (logits[k - s] = Math.exp(logits[k - s]! - max));
      const chosen = data.chosen[e] ?? s;
      for (let k = s; k < end; k++) {
        const d = logits[k - s]! / z - (k === chosen ? 1 : 0);
        if (Math.abs(d) < 1e-9) continue;
        const j = data.mission[k] ?? 0, c = data.cat[k] ?? 0, df = data.diff[k] ?? 0, qj = Q0 + j * R;
        const km = d * data.km[k]!;
        grad[0]! += km; grad[g]! += km;
        grad[1 + c]! += d; grad[g + 1 + c]! += d;
        grad[1 + NC + df]! += d; grad[g + 1 + NC + df]! += d;
        grad[g + SLOPE]! += d * diffX(df);
        grad[POP - 2]! += d * data.slot[k]!;
        grad[POP - 1]! += d * data.friends[k]!;
        grad[A0 + j]! += d;
        for (let f = 0; f < R; f++) {
          grad[pu + f]! += d * theta[qj + f]!;
          grad[qj + f]! += d * theta[pu + f]!;
        }
      }
    }
    for (let i = A0; i < G0; i++) grad[i]! += o.missionL2 * theta[i]!;
    for (let i = G0; i < P0; i++) { const k = (i - G0) % NG; grad[i]! += (k === 0 ? o.distanceL2 : k <= NC ? o.playerL2 : k < SLOPE ? o.difficultyL2 : o.slopeL2) * theta[i]!; }
    for (let i = P0; i < N; i++) grad[i]! += o.latentL2 * theta[i]!;
    adam.step(theta, grad);
  }
  return {
    players: playerIndex, missions: missionIndex, factors: R,
    bDist: theta[0]!, bCat: theta.slice(1, 1 + NC), bDiff: theta.slice(1 + NC, 1 + NC + ND), bSlot: theta[POP - 2]!, bFriends: theta[POP - 1]!,
    alpha: theta.slice(A0, G0), g: theta.slice(G0, P0), p: theta.slice(P0, Q0), q: theta.slice(Q0, N), choices: events,
  };
}

/** Utilities below this (and missions beyond CHOICE_KM) are alike: not a realistic choice. */
export const CHOICE_FLOOR = -15;

/** The hybrid scorer's `choice` feature: the utility floored at CHOICE_FLOOR (a finite, standardisable scale). */
export const choiceFeature = (model: ChoiceModel, ctx: Context, profile: Profile, m: MissionRow) => choiceFeatureOf(profile, choiceTerms(model, ctx, profile, m));

/** choiceFeature from the mission's choiceTerms, when they are already at hand. */
export const choiceFeatureOf = (profile: Profile, terms: readonly number[] | undefined) => Math.max(CHOICE_FLOOR, termsUtility(profile, terms));

/** The parts of the choice utility, each a reason a player may pick a mission. */
export const CHOICE_TERMS = ['distance', 'category', 'difficulty', 'time_of_day', 'friends', 'quest', 'taste'] as const;
export type ChoiceTerm = (typeof CHOICE_TERMS)[number];

/**
 * The model's utility of mission `m` for the player now (at `ctx.asOf`, from the profile's home, its
 * time-of-day habit and its friends' recent completions), in CHOICE_TERMS order: distance decay, category
 * taste, difficulty taste, time-of-day fit, friends, the mission's own effect, latent tastes. Undefined
 * beyond CHOICE_KM or when the home is unknown.
 */
export function choiceTerms(model: ChoiceModel, ctx: Context, profile: Profile, m: MissionRow): number[] | undefined {
  const home = profile.player.home;
  if (!home) return undefined;
  const km = haversineM(home, m) / 1000;
  // Nothing that far was ever an alternative: a personal distance slope must not be extrapolated to other cities.
  if (km > CHOICE_KM) return undefined;
  const u = model.players.get(profile.player.id);
  const j = model.missions.get(m.id);
  const gu = (k: number) => (u === undefined ? 0 : (model.g[u * NG + k] ?? 0));
  const c = CATEGORIES.indexOf(m.type), d = Math.min(ND, Math.max(1, m.difficulty)) - 1;
  let friends = 0;
  const who = ctx.recentBy.get(m.id);
  if (who) for (const f of profile.friends) if (who.has(f)) friends++;
  let taste = 0;
  if (u !== undefined && j !== undefined) for (let f = 0; f < model.factors; f++) taste += (model.p[u * model.factors + f] ?? 0) * (model.q[j * model.factors + f] ?? 0);
  return [
    (model.bDist + gu(0)) * (km / KM_UNIT),
    (model.bCat[c] ?? 0) + gu(1 + c),
    (model.bDiff[d] ?? 0) + gu(1 + NC + d) + gu(SLOPE) * diffX(d),
    model.bSlot * slotFit(ctx, m.id, profile.slots ?? SLOTS.map(() => 1 / SLOTS.length)),
    model.bFriends * Math.log1p(friends),
    missionEffect(model, m.id),
    taste,
  ];
}

/** The model's own effect α_j of a mission (0 for one it has never seen). */
export const missionEffect = (model: ChoiceModel, missionId: string) => {
  const j = model.missions.get(missionId);
  return j === undefined ? 0 : (model.alpha[j] ?? 0);
};

/** The sum of choiceTerms: −∞ beyond CHOICE_KM, NaN when the home is unknown. */
export function choiceUtility(model: ChoiceModel, ctx: Context, profile: Profile, m: MissionRow): number {
  return termsUtility(profile, choiceTerms(model, ctx, profile, m));
}

/** The utility from its terms: NaN when the home is unknown, −∞ without terms (beyond CHOICE_KM). */
function termsUtility(profile: Profile, terms: readonly number[] | undefined): number {
  if (!profile.player.home) return Number.NaN;
  return terms?.reduce((a, b) => a + b, 0) ?? Number.NEGATIVE_INFINITY;
}
