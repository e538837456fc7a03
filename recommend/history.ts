/**
 * What the recommender reads: players, zones, missions, completions and
 * friendships, the same shape whether it comes from Postgres (db-history.ts)
 * or the simulator (sim.ts). Times are epoch milliseconds.
 */

/** Mission categories: the `MissionType` enum of the database. */
export const CATEGORIES = ['cleanup', 'planting', 'recycling', 'education', 'care', 'water', 'energy'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface GeoPoint {
  latitude: number;
  longitude: number;
}

export interface ZoneRow extends GeoPoint {
  id: string;
  name: string;
}

export interface MissionRow extends GeoPoint {
  id: string;
  zoneId: string;
  title: string;
  type: Category;
  difficulty: number;
  /** Open window (null = unbounded) and the admin switch. */
  startsAt: number | null;
  endsAt: number | null;
  active: boolean;
}

export interface PlayerRow {
  id: string;
  level: number;
  /** Home zone centre, else the centre of the player's proofs, else unknown. */
  home: GeoPoint | null;
  createdAt: number;
}

/** One approved completion of a mission by a player (the first one counts). */
export interface Completion {
  playerId: string;
  missionId: string;
  at: number;
  /** The player's level just before it (the difficulty gate it was chosen under), when the ledger tells. */
  levelBefore?: number;
}

export interface History {
  players: PlayerRow[];
  zones: ZoneRow[];
  missions: MissionRow[];
  completions: Completion[];
  /** Undirected pairs (witnessed or upvoted each other's proofs). */
  friendships: [string, string][];
}

/** The highest mission difficulty a player of `level` may take (the level gate). */
export const maxDifficulty = (level: number) => Math.max(1, Math.min(5, level + 1));

/** Whether a mission can be taken at `at`. */
export const isOpen = (m: MissionRow, at: number) => m.active && (m.startsAt === null || m.startsAt <= at) && (m.endsAt === null || m.endsAt > at);

/** History strictly before `at` (what a model trained at `at` may see). */
export function historyBefore(h: History, at: number): History {
  return { ...h, completions: h.completions.filter((c) => c.at < at) };
}
