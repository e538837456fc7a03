import type { FeatureName } from './features.ts';
import type { MissionRow } from './history.ts';
import { SLOTS } from './time-of-day.ts';

/** What a reason may quote about a pair besides its features. */
export interface ReasonFacts {
  mission: MissionRow;
  km: number;
  friends: number;
  recent: number;
  total: number;
  /** The slot in which the mission is most often done. */
  slot: number;
}

const km = (v: number) => (v < 1 ? `${Math.round(v * 1000)} m` : `${v.toFixed(1)} km`);

/** One human-readable sentence for the feature that pushed this mission up the most. */
export function reasonFor(signal: FeatureName | 'quest' | 'new', f: ReasonFacts): string {
  switch (signal) {
    case 'choice': return `like the quests you pick: ${f.mission.type}, difficulty ${f.mission.difficulty}, ${km(f.km)} away`;
    case 'mf': return 'players with a history like yours completed it';
    case 'distance': return `close to you: ${km(f.km)} from your home zone`;
    case 'distance_personal': return `within the distance you usually travel (${km(f.km)})`;
    case 'category': return `you often take ${f.mission.type} quests`;
    case 'difficulty_gap': return `difficulty ${f.mission.difficulty} matches what you usually take on`;
    case 'time_of_day': return `usually done in the ${SLOTS[f.slot] ?? 'day'}, when you tend to play`;
    case 'friends': return `${f.friends} of your friends did it in the last 30 days`;
    case 'popularity': return `one of the most completed quests (${f.total} completions)`;
    case 'local_popularity': return 'a favourite of the players who live near it';
    case 'trending': return `trending: ${f.recent} completions in the last 30 days`;
    case 'neighbours': return 'players who completed the same quests as you completed this one';
    case 'quest': return 'players pick it over the other quests near it';
    case 'new': return `something new to try: ${/^[aeiou]/.test(f.mission.type) ? 'an' : 'a'} ${f.mission.type} quest`;
  }
}

/** The cold-start sentence: location and popularity only. */
export function coldStartReason(f: ReasonFacts): string {
  const popular = f.recent ? `${f.recent} completions in the last 30 days` : '';
  if (!Number.isFinite(f.km)) return popular ? `popular: ${popular}` : 'open now';
  return popular ? `popular near you: ${km(f.km)} away, ${popular}` : `near you: ${km(f.km)} away`;
}
