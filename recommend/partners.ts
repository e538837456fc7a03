import { haversineM } from '../verifier/geo.ts';
import type { Context, Profile } from './features.ts';
import { CATEGORIES, type Category, type GeoPoint } from './history.ts';

/** Fewest completed quests for a mentor. */
export const MENTOR_MIN_COMPLETIONS = 5;
/** Distance (km) at which proximity counts half. */
const NEAR_KM = 10;

export interface MentorSuggestion {
  playerId: string;
  level: number;
  completions: number;
  distanceKm: number | null;
  sharedInterests: Category[];
  score: number;
  reason: string;
}

const cosine = (a: readonly number[], b: readonly number[]) => {
  let dot = 0, na = 0, nb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  });
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
};

/**
 * Mentors for a newcomer: players above their level with enough completed
 * quests, ranked by closeness of home (0.4), overlap of quest categories with
 * the newcomer's history or stated interests (0.35) and experience (0.25).
 */
export function suggestMentors(ctx: Context, newcomer: Profile, opts: { interests?: Category[]; location?: GeoPoint; limit?: number } = {}): MentorSuggestion[] {
  const home = opts.location ?? newcomer.player.home;
  const interests = CATEGORIES.map((c, i) => (newcomer.categoryCounts[i] ?? 0) + (opts.interests?.includes(c) ? 3 : 0));
  const pool = [...ctx.profiles.values()].filter((q) => q.player.id !== newcomer.player.id && q.level > newcomer.level && q.completions >= MENTOR_MIN_COMPLETIONS);
  const most = Math.max(1, ...pool.map((q) => q.completions));
  const scored = pool.map((q) => {
    const km = home && q.player.home ? haversineM(home, q.player.home) / 1000 : null;
    const proximity = km === null ? 0 : NEAR_KM / (NEAR_KM + km);
    const overlap = interests.some((v) => v > 0) ? cosine(interests, q.categoryCounts) : 0;
    const experience = Math.log1p(q.completions) / Math.log1p(most);
    const shared = CATEGORIES.filter((_, i) => (interests[i] ?? 0) > 0 && (q.categoryCounts[i] ?? 0) > 0);
    const bits = [`level ${q.level}`, `${q.completions} quests completed`];
    if (km !== null) bits.push(km < 1 ? `lives ${Math.round(km * 1000)} m from you` : `lives ${km.toFixed(1)} km from you`);
    if (shared.length) bits.push(`also does ${shared.slice(0, 3).join(', ')}`);
    return {
      playerId: q.player.id, level: q.level, completions: q.completions, distanceKm: km === null ? null : Math.round(km * 100) / 100,
      sharedInterests: shared, score: Math.round((0.4 * proximity + 0.35 * overlap + 0.25 * experience) * 1e4) / 1e4, reason: bits.join(', '),
    };
  });
  return scored.sort((a, b) => b.score - a.score || a.playerId.localeCompare(b.playerId)).slice(0, opts.limit ?? 10);
}
