import { haversineM } from '../verifier/geo.ts';
import { CATEGORIES, type GeoPoint, type History, isOpen, maxDifficulty, type MissionRow, type PlayerRow } from './history.ts';
import { localSlot, SLOTS } from './time-of-day.ts';

/**
 * Content features of a (player, mission) pair, computed only from history
 * before `asOf`. NaN means "unknown for this player" (no history, no home);
 * the scorer treats it as the average.
 */
export const FEATURE_NAMES = ['choice', 'mf', 'distance', 'distance_personal', 'category', 'difficulty_gap', 'time_of_day', 'friends', 'popularity', 'trending', 'local_popularity', 'neighbours'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

const DAY = 86_400_000;
/** Window of "recent" activity for popularity and friends. */
export const RECENT_DAYS = 30;
/** "Nearby players" of a mission live within this many km of it. */
export const LOCAL_KM = 5;
/** Missions within this many km of home are what a player is "offered" (for category tastes). */
const EXPOSURE_KM = 10;
/** How many look-alike players (most shared completions) the `neighbours` feature asks. */
export const LOOKALIKES = 80;

export interface Profile {
  player: PlayerRow;
  level: number;
  completions: number;
  done: Set<string>;
  /** Completions per category (CATEGORIES order). */
  categoryCounts: number[];
  /** Log lift of each category over its share of the missions near home (smoothed). */
  categoryLift: number[];
  meanDifficulty: number | null;
  /** Mean distance from home of the missions completed so far (km), when known. */
  typicalKm: number | null;
  slots: number[] | null;
  friends: string[];
  /** Up to LOOKALIKES players with the most shared completions (cosine), most alike first. */
  lookalikes: { id: string; similarity: number }[];
}

export interface Context {
  asOf: number;
  history: History;
  missions: Map<string, MissionRow>;
  profiles: Map<string, Profile>;
  /** Completions per mission in the recent window, and in all history. */
  recentCount: Map<string, number>;
  totalCount: Map<string, number>;
  /** Log share of the players living within LOCAL_KM of a mission who completed it (smoothed). */
  localShare: Map<string, number>;
  /** Who completed each mission in the recent window. */
  recentBy: Map<string, Set<string>>;
  missionSlots: Map<string, number[]>;
}

const smooth = (counts: number[], alpha: number) => {
  const total = counts.reduce((a, b) => a + b, 0) + alpha * counts.length;
  return counts.map((c) => (c + alpha) / total);
};

/** Everything the features need, from `history` strictly before `asOf`; `levels` overrides the players' stored levels. */
export function buildContext(history: History, asOf: number, levels?: Map<string, number>): Context {
  const missions = new Map(history.missions.map((m) => [m.id, m]));
  const past = history.completions.filter((c) => c.at < asOf);
  const catTotals = CATEGORIES.map(() => 0);
  const perPlayer = new Map<string, { cats: number[]; diff: number; km: number; slots: number[]; done: Set<string> }>();
  const homes = new Map(history.players.map((p) => [p.id, p.home]));
  const totalCount = new Map<string, number>();
  const slotCounts = new Map<string, number[]>();
  const recentCount = new Map<string, number>();
  const recentBy = new Map<string, Set<string>>();
  for (const c of past) {
    const m = missions.get(c.missionId);
    if (!m) continue;
    const cat = CATEGORIES.indexOf(m.type);
    catTotals[cat] = (catTotals[cat] ?? 0) + 1;
    let p = perPlayer.get(c.playerId);
    if (!p) perPlayer.set(c.playerId, (p = { cats: CATEGORIES.map(() => 0), diff: 0, km: 0, slots: SLOTS.map(() => 0), done: new Set() }));
    p.cats[cat] = (p.cats[cat] ?? 0) + 1;
    p.diff += m.difficulty;
    const home = homes.get(c.playerId);
    if (home) p.km += haversineM(home, m) / 1000;
    totalCount.set(m.id, (totalCount.get(m.id) ?? 0) + 1);
    const slot = localSlot(c.at, m.longitude);
    p.slots[slot] = (p.slots[slot] ?? 0) + 1;
    p.done.add(m.id);
    let ms = slotCounts.get(m.id);
    if (!ms) slotCounts.set(m.id, (ms = SLOTS.map(() => 0)));
    ms[slot] = (ms[slot] ?? 0) + 1;
    if (c.at >= asOf - RECENT_DAYS * DAY) {
      recentCount.set(m.id, (recentCount.get(m.id) ?? 0) + 1);
      let who = recentBy.get(m.id);
      if (!who) recentBy.set(m.id, (who = new Set()));
      who.add(c.playerId);
    }
  }
  const prior = smooth(catTotals, 1);
  const friends = new Map<string, string[]>();
  for (const [a, b] of history.friendships) {
    friends.set(a, [...(friends.get(a) ?? []), b]);
    friends.set(b, [...(friends.get(b) ?? []), a]);
  }
  // What each player could choose from: category shares of the missions near home, so a taste
  // is measured against what was on offer (a player among beaches does cleanups without loving them).
  const exposure = (home: GeoPoint | null) => {
    if (!home) return prior;
    const counts = CATEGORIES.map(() => 0);
    for (const m of history.missions) if (haversineM(home, m) <= EXPOSURE_KM * 1000) counts[CATEGORIES.indexOf(m.type)]! += 1;
    return smooth(counts.map((c, i) => c + 2 * (prior[i] ?? 0)), 0);
  };
  const profiles = new Map<string, Profile>();
  for (const player of history.players) {
    const p = perPlayer.get(player.id);
    const n = p?.done.size ?? 0;
    const offer = p ? exposure(player.home) : prior;
    profiles.set(player.id, {
      player,
      level: levels?.get(player.id) ?? player.level,
      completions: n,
      done: p?.done ?? new Set(),
      categoryCounts: p?.cats ?? CATEGORIES.map(() => 0),
      categoryLift: CATEGORIES.map((_, i) => Math.log((((p?.cats[i] ?? 0) + (offer[i] ?? 0)) / (n + 1)) / (offer[i] ?? 1))),
      meanDifficulty: p && n ? p.diff / n : null,
      typicalKm: p && n && player.home ? Math.max(0.3, p.km / n) : null,
      slots: p && n ? smooth(p.slots, 0.5) : null,
      friends: friends.get(player.id) ?? [],
      lookalikes: [],
    });
  }
  const doers = new Map<string, string[]>();
  for (const [id, p] of perPlayer) {
    for (const m of p.done) {
      const who = doers.get(m);
      if (who) who.push(id);
      else doers.set(m, [id]);
    }
  }
  for (const [id, p] of perPlayer) {
    const shared = new Map<string, number>();
    for (const m of p.done) for (const v of doers.get(m) ?? []) if (v !== id) shared.set(v, (shared.get(v) ?? 0) + 1);
    const profile = profiles.get(id);
    if (profile) {
      profile.lookalikes = [...shared].map(([v, n]) => ({ id: v, similarity: n / Math.sqrt(p.done.size * (perPlayer.get(v)?.done.size ?? 1)) }))
        .sort((a, b) => b.similarity - a.similarity || a.id.localeCompare(b.id)).slice(0, LOOKALIKES);
    }
  }
  const localShare = new Map<string, number>();
  for (const m of history.missions) {
    let near = 0, did = 0;
    for (const p of history.players) {
      if (!p.home || haversineM(p.home, m) > LOCAL_KM * 1000) continue;
      near++;
      if (perPlayer.get(p.id)?.done.has(m.id)) did++;
    }
    localShare.set(m.id, Math.log((did + 0.5) / (near + 5)));
  }
  const missionSlots = new Map([...slotCounts].map(([id, counts]) => [id, smooth(counts, 1)]));
  return { asOf, history, missions, profiles, recentCount, totalCount, localShare, recentBy, missionSlots };
}

/** Missions the player may be offered at `ctx.asOf`: open, not done yet, within the level gate. */
export function candidates(ctx: Context, profile: Profile): MissionRow[] {
  const gate = maxDifficulty(profile.level);
  return ctx.history.missions.filter((m) => isOpen(m, ctx.asOf) && m.difficulty <= gate && !profile.done.has(m.id));
}

/** Kilometres from the player's home to the mission, or NaN when the home is unknown. */
export const distanceKm = (profile: Profile, m: MissionRow) => (profile.player.home ? haversineM(profile.player.home, m) / 1000 : Number.NaN);

/** Similarity-weighted share of the player's look-alikes who completed the mission (NaN without any). */
function lookalikeShare(ctx: Context, profile: Profile, missionId: string): number {
  let did = 0, all = 0;
  for (const v of profile.lookalikes) {
    all += v.similarity;
    if (ctx.profiles.get(v.id)?.done.has(missionId)) did += v.similarity;
  }
  return all ? did / all : Number.NaN;
}

/**
 * Feature vector in FEATURE_NAMES order; `fitted` are the per-player choice model's utility and the
 * collaborative score (NaN when not known).
 */
export function pairFeatures(ctx: Context, profile: Profile, m: MissionRow, fitted: { choice: number; mf: number }): number[] {
  const km = distanceKm(profile, m);
  let friends = 0;
  const who = ctx.recentBy.get(m.id);
  if (who) for (const f of profile.friends) if (who.has(f)) friends++;
  const ms = ctx.missionSlots.get(m.id) ?? SLOTS.map(() => 1 / SLOTS.length);
  const slotFit = profile.slots ? Math.log(SLOTS.length * profile.slots.reduce((a, v, i) => a + v * (ms[i] ?? 0), 0)) : Number.NaN;
  return [
    fitted.choice,
    fitted.mf,
    Math.min(km, 50),
    profile.typicalKm === null ? Number.NaN : Math.min(km / profile.typicalKm, 20),
    profile.categoryLift[CATEGORIES.indexOf(m.type)] ?? 0,
    profile.meanDifficulty === null ? Number.NaN : Math.abs(m.difficulty - profile.meanDifficulty),
    slotFit,
    Math.log1p(friends),
    Math.log1p(ctx.totalCount.get(m.id) ?? 0),
    Math.log1p(ctx.recentCount.get(m.id) ?? 0),
    ctx.localShare.get(m.id) ?? Number.NaN,
    lookalikeShare(ctx, profile, m.id),
  ];
}
