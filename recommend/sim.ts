import { Rng } from '../verifier/sim/prng.ts';
import { haversineM } from '../verifier/geo.ts';
import { CATEGORIES, type Category, type Completion, type GeoPoint, type History, isOpen, maxDifficulty, type MissionRow, type PlayerRow, type ZoneRow } from './history.ts';
import { localSlot, SLOTS } from './time-of-day.ts';

/**
 * Simulated player histories. Players live in a few cities and pick missions
 * by a utility the model never sees directly: distance against their own
 * travel tolerance, category taste, difficulty comfort, the time of day they
 * play against the mission's usual slot, friends who did it lately, a hidden
 * taste vector (what collaborative filtering can find) and mission quality.
 * Players level up as they complete missions and only take missions their
 * level allows. Deterministic for a seed.
 */

export interface SimOptions {
  seed: number;
  players?: number;
  zonesPerCity?: number;
  days?: number;
  /** Keep the simulator's own view of every choice (SimWorld.truth), for the evaluation's bound. */
  record?: boolean;
}

/** The simulator's choice rule: coefficients and the ranges its players' parameters are drawn from. */
export const SIM_RULE = {
  /** Travel tolerance (km), uniform: utility −km / tolerance. */
  tolKm: [3, 12],
  /** Category tastes ~ N(0, categorySd²), weighed by `category`. */
  categorySd: 1.1,
  category: 0.9,
  /** Difficulty comfort, uniform, growing `comfortStep` a completion: utility −difficulty·|d − comfort|. */
  comfort: [1, 4],
  comfortStep: 0.02,
  difficulty: 0.6,
  /** Latent tastes (player and mission vectors ~ N(0, 1)), weighed by latent / √LATENT. */
  latent: 0.7,
  /** Bonus when the session's slot is the mission's. */
  slot: 1,
  /** Weight of log(1 + friends who did it within friendDays). */
  friends: 1.2,
  friendDays: 21,
} as const;

/** What only the simulator knows, recorded when asked (SimOptions.record). */
export interface SimTruth {
  missions: Map<string, { quality: number; taste: readonly number[]; slot: number }>;
  /** Each player's time-of-day habit (SLOTS order). */
  slots: Map<string, readonly number[]>;
  /** Every choice in order: the options, and for each the utility the bound takes as known (quality, slot, friends). */
  choices: { playerId: string; at: number; chosen: string; options: { missionId: string; known: number }[] }[];
}

export interface SimWorld {
  history: History;
  start: number;
  days: number;
  /**
   * The hidden preference of a player for a mission (the choice utility without friends, the time
   * of day as the player's habit): what no model sees, for an evaluation ceiling only.
   */
  preference: (playerId: string, missionId: string) => number;
  truth?: SimTruth;
}

const CITIES: GeoPoint[] = [
  { latitude: 38.72, longitude: -9.14 },
  { latitude: 48.86, longitude: 2.35 },
  { latitude: -1.29, longitude: 36.82 },
  { latitude: -23.55, longitude: -46.63 },
  { latitude: 28.61, longitude: 77.21 },
  { latitude: 35.68, longitude: 139.69 },
];
const DAY = 86_400_000;
export const LATENT = 3;
const START = Date.parse('2026-06-01T00:00:00Z');

function offset(p: GeoPoint, m: number, bearing: number): GeoPoint {
  const dLat = (m * Math.cos(bearing)) / 111_195;
  const dLon = (m * Math.sin(bearing)) / (111_195 * Math.cos((p.latitude * Math.PI) / 180));
  return { latitude: p.latitude + dLat, longitude: p.longitude + dLon };
}

const uuidOf = (kind: number, i: number) => `00000000-0000-4000-8${kind.toString(16).padStart(3, '0')}-${i.toString(16).padStart(12, '0')}`;

interface SimMission extends MissionRow { city: number; slot: number; quality: number; taste: number[] }
interface SimPlayer extends PlayerRow {
  city: number; tolKm: number; catLog: number[]; comfort: number; slots: number[]; taste: number[]; rate: number; joined: number; xp: number;
}

const softmaxPick = (r: Rng, utilities: number[]) => {
  const max = Math.max(...utilities);
  const w = utilities.map((u) => Math.exp(u - max));
  let x = r.next() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) if ((x -= w[i] ?? 0) <= 0) return i;
  return w.length - 1;
};

const weighted = (r: Rng, w: number[]) => softmaxPick(r, w.map((v) => Math.log(Math.max(v, 1e-9))));

export function simulateWorld({ seed, players: nPlayers = 900, zonesPerCity = 12, days = 120, record = false }: SimOptions): SimWorld {
  const r = new Rng(seed);
  const zones: (ZoneRow & { city: number; flavour: number[] })[] = [];
  const missions: SimMission[] = [];
  CITIES.forEach((c, ci) => {
    for (let z = 0; z < zonesPerCity; z++) {
      const centre = offset(c, r.uniform(500, 12_000), r.uniform(0, 2 * Math.PI));
      const flavour = CATEGORIES.map(() => Math.exp(r.normal(0, 1)));
      const zone = { id: uuidOf(1, zones.length), name: `zone ${zones.length}`, ...centre, city: ci, flavour };
      zones.push(zone);
      for (let k = r.int(3, 6); k > 0; k--) {
        const type = CATEGORIES[weighted(r, flavour)] as Category;
        const late = r.chance(0.15);
        const startsAt = late ? START + r.int(20, days - 10) * DAY : null;
        const endsAt = !late && r.chance(0.08) ? START + r.int(30, days) * DAY : null;
        missions.push({
          id: uuidOf(2, missions.length), zoneId: zone.id, title: `${type} ${missions.length}`, type,
          difficulty: weighted(r, [0.3, 0.3, 0.2, 0.12, 0.08]) + 1, ...offset(centre, r.uniform(0, 400), r.uniform(0, 2 * Math.PI)),
          startsAt, endsAt, active: true, city: ci, slot: weighted(r, [0.05, 0.4, 0.35, 0.2]), quality: r.normal(0, 0.5),
          taste: Array.from({ length: LATENT }, () => r.normal(0, 1)),
        });
      }
    }
  });

  const players: SimPlayer[] = [];
  for (let i = 0; i < nPlayers; i++) {
    const city = r.int(0, CITIES.length - 1);
    const homeZone = r.pick(zones.filter((z) => z.city === city));
    const dominant = weighted(r, [0.05, 0.4, 0.3, 0.25]);
    const joined = r.chance(0.7) ? 0 : r.int(1, days - 5);
    players.push({
      id: uuidOf(3, i), level: 1, home: offset(homeZone, r.uniform(0, 2_500), r.uniform(0, 2 * Math.PI)), createdAt: START + joined * DAY,
      city, tolKm: r.uniform(...SIM_RULE.tolKm), catLog: CATEGORIES.map(() => r.normal(0, SIM_RULE.categorySd)), comfort: r.uniform(...SIM_RULE.comfort),
      slots: SLOTS.map((_, s) => (s === dominant ? 0.7 : 0.1)), taste: Array.from({ length: LATENT }, () => r.normal(0, 1)),
      rate: Math.min(r.exp(1.1), 6) / 7, joined, xp: 0,
    });
  }

  const friends = new Map<string, Set<string>>(players.map((p) => [p.id, new Set()]));
  const friendships: [string, string][] = [];
  for (const p of players) {
    const local = players.filter((q) => q.city === p.city && q !== p);
    for (let k = r.int(0, 4); k > 0; k--) {
      const q = r.pick(local);
      if (friends.get(p.id)?.has(q.id)) continue;
      friends.get(p.id)?.add(q.id);
      friends.get(q.id)?.add(p.id);
      friendships.push([p.id, q.id]);
    }
  }

  const km = new Map<string, number>();
  const distKm = (p: SimPlayer, m: SimMission) => {
    const key = `${p.id}|${m.id}`;
    let d = km.get(key);
    if (d === undefined) km.set(key, (d = haversineM(p.home ?? m, m) / 1000));
    return d;
  };
  /** Utility of a mission to a player before the time of day and friends. */
  const taste = (p: SimPlayer, m: SimMission) => -distKm(p, m) / p.tolKm + SIM_RULE.category * (p.catLog[CATEGORIES.indexOf(m.type)] ?? 0)
    - SIM_RULE.difficulty * Math.abs(m.difficulty - p.comfort) + (SIM_RULE.latent * m.taste.reduce((a, v, k) => a + v * (p.taste[k] ?? 0), 0)) / Math.sqrt(LATENT) + m.quality;
  const truth: SimTruth | undefined = record
    ? { missions: new Map(missions.map((m) => [m.id, { quality: m.quality, taste: m.taste, slot: m.slot }])), slots: new Map(players.map((p) => [p.id, p.slots])), choices: [] }
    : undefined;
  const byCity = CITIES.map((_, ci) => missions.filter((m) => m.city === ci));
  const done = new Map<string, Set<string>>(players.map((p) => [p.id, new Set()]));
  const lastDone = new Map<string, number>();
  const completions: Completion[] = [];
  for (let day = 0; day < days; day++) {
    for (const p of players) {
      if (day < p.joined) continue;
      let sessions = 0;
      for (let x = r.exp(1); x < p.rate; x += r.exp(1)) sessions++;
      for (let s = 0; s < sessions; s++) {
        const slot = weighted(r, p.slots);
        const localHour = slot * 6 + r.uniform(0, 6);
        const city = CITIES[p.city] as GeoPoint;
        const at = START + day * DAY + (localHour - city.longitude / 15) * 3_600_000;
        const mine = done.get(p.id) as Set<string>;
        const gate = maxDifficulty(p.level);
        const options = (byCity[p.city] ?? []).filter((m) => isOpen(m, at) && m.difficulty <= gate && !mine.has(m.id));
        if (!options.length) continue;
        /** Utility beyond the taste: time of day, friends. */
        const moment = options.map((m): [number, number] => {
          let recentFriends = 0;
          for (const f of friends.get(p.id) ?? []) {
            const t = lastDone.get(`${f}|${m.id}`);
            if (t !== undefined && at - t < SIM_RULE.friendDays * DAY) recentFriends++;
          }
          return [localSlot(at, m.longitude) === m.slot ? SIM_RULE.slot : 0, SIM_RULE.friends * Math.log1p(recentFriends)];
        });
        const m = options[softmaxPick(r, options.map((o, i) => taste(p, o) + (moment[i]?.[0] ?? 0) + (moment[i]?.[1] ?? 0)))] as SimMission;
        truth?.choices.push({ playerId: p.id, at, chosen: m.id, options: options.map((o, i) => ({ missionId: o.id, known: o.quality + (moment[i]?.[0] ?? 0) + (moment[i]?.[1] ?? 0) })) });
        mine.add(m.id);
        lastDone.set(`${p.id}|${m.id}`, at);
        completions.push({ playerId: p.id, missionId: m.id, at, levelBefore: p.level });
        p.xp += 40 * m.difficulty;
        p.level = 1 + Math.floor(Math.sqrt(p.xp / 100));
        p.comfort = Math.min(5, p.comfort + SIM_RULE.comfortStep);
      }
    }
  }
  // Level as of the end of the run; evaluation recomputes it at the cutoff (levelAt).
  const history: History = {
    zones: zones.map(({ id, name, latitude, longitude }) => ({ id, name, latitude, longitude })),
    missions: missions.map(({ id, zoneId, title, type, difficulty, latitude, longitude, startsAt, endsAt, active }) => ({ id, zoneId, title, type, difficulty, latitude, longitude, startsAt, endsAt, active })),
    players: players.map(({ id, level, home, createdAt }) => ({ id, level, home, createdAt })),
    completions,
    friendships,
  };
  const playerById = new Map(players.map((p) => [p.id, p]));
  const missionById = new Map(missions.map((m) => [m.id, m]));
  const preference = (playerId: string, missionId: string) => {
    const p = playerById.get(playerId);
    const m = missionById.get(missionId);
    return p && m ? taste(p, m) + (p.slots[m.slot] ?? 0) : Number.NaN;
  };
  return { history, start: START, days, preference, ...(truth ? { truth } : {}) };
}

/** A player's level from their completions before `at`, by the simulator's XP rule. */
export function levelAt(history: History, at: number): Map<string, number> {
  const difficulty = new Map(history.missions.map((m) => [m.id, m.difficulty]));
  const xp = new Map<string, number>();
  for (const c of history.completions) if (c.at < at) xp.set(c.playerId, (xp.get(c.playerId) ?? 0) + 40 * (difficulty.get(c.missionId) ?? 1));
  return new Map(history.players.map((p) => [p.id, 1 + Math.floor(Math.sqrt((xp.get(p.id) ?? 0) / 100))]));
}
