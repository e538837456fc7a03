// Leaderboards in Redis sorted sets: XP earned per UTC day and ISO week, overall and per zone.
// Derived data (the ledger is the source of truth), updated after applyImpact commits a new entry.
import { ReadCache } from '../../lib/read-cache.ts';
import type { Redis } from '../../lib/redis.ts';

export const LEADERBOARD_PERIODS = ['daily', 'weekly'] as const;
export type LeaderboardPeriod = (typeof LEADERBOARD_PERIODS)[number];
export const LEADERBOARD_SIZE = 50;

const DAY_MS = 86_400_000;
const TTL_S: Record<LeaderboardPeriod, number> = { daily: 8 * 86_400, weekly: 5 * 7 * 86_400 };

/** Bucket of `at` in a period: `2026-11-23` (UTC day) or `2026-W48` (ISO week). */
export function periodBucket(period: LeaderboardPeriod, at: Date): string {
  if (period === 'daily') return at.toISOString().slice(0, 10);
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const dow = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - dow); // the week's Thursday decides its ISO year
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export interface ImpactScore { playerId: string; zoneId: string | null; xp: number; at: Date }

export class Leaderboard {
  /** Cached GET /api/leaderboard views, dropped whenever their board changes. */
  readonly views: ReadCache;

  constructor(private readonly redis: Redis, private readonly prefix: string) {
    this.views = new ReadCache(redis, prefix);
  }

  /** The cache key of the rendered view of one board. */
  viewKey(period: LeaderboardPeriod, at: Date, zoneId?: string | null): string {
    return this.views.key('lb', period, periodBucket(period, at), zoneId ?? 'all');
  }

  key(period: LeaderboardPeriod, at: Date, zoneId?: string | null): string {
    return `${this.prefix}lb:${period}:${periodBucket(period, at)}${zoneId ? `:zone:${zoneId}` : ''}`;
  }

  /** Adds one new ledger entry's XP to the day's and week's boards (overall and its zone). */
  async record(s: ImpactScore): Promise<void> {
    const m = this.redis.multi();
    const views: string[] = [];
    for (const period of LEADERBOARD_PERIODS) {
      for (const zone of [null, ...(s.zoneId ? [s.zoneId] : [])]) {
        const key = this.key(period, s.at, zone);
        m.zincrby(key, s.xp, s.playerId).expire(key, TTL_S[period]);
        views.push(this.viewKey(period, s.at, zone));
      }
    }
    await m.exec();
    await this.views.invalidate(...views);
  }

  /** Top players (best first) with their scores. */
  async top(period: LeaderboardPeriod, at: Date, zoneId?: string | null, n = LEADERBOARD_SIZE): Promise<{ playerId: string; score: number }[]> {
    const flat = await this.redis.zrevrange(this.key(period, at, zoneId), 0, n - 1, 'WITHSCORES');
    const out: { playerId: string; score: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ playerId: flat[i]!, score: Number(flat[i + 1]) });
    return out;
  }
}
