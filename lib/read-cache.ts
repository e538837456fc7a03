// Read-through caches of serialized API responses in Redis, shared by every API instance.
// TTLs are the spec's; writes invalidate at once (event-driven): invalidate() bumps the
// entry's generation and deletes it, and a fill only lands when the generation it read
// before computing is still current, so a fill racing an invalidation never sticks.
import type { Redis } from './redis.ts';

/** Seconds a cached view may be served when nothing invalidates it first. */
export const CACHE_TTL_S = { playerStats: 5 * 60, leaderboard: 60 * 60, zoneState: 30 * 60 } as const;

const FILL = `if (redis.call('GET', KEYS[2]) or '0') == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end return 0`;

export class ReadCache {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  /** The cache key of one view, e.g. key('player', id). */
  key(...parts: string[]): string {
    return `${this.prefix}cache:${parts.join(':')}`;
  }

  /** The cached body of `key`, else `compute()`'s body stored for `ttlS` (a Redis failure serves the computed body uncached). */
  async get(key: string, ttlS: number, compute: () => Promise<string>): Promise<string> {
    const found = await this.redis.mget(key, `${key}:gen`).catch(() => null);
    if (found?.[0] != null) return found[0];
    const body = await compute();
    if (found) await this.redis.eval(FILL, 2, key, `${key}:gen`, found[1] ?? '0', body, String(ttlS)).catch(() => undefined);
    return body;
  }

  /** Drops every cached view whose key matches the glob `pattern` (bumping each generation as invalidate does). */
  async invalidateMatching(pattern: string): Promise<void> {
    const keys = new Set<string>();
    for (const match of [pattern, `${pattern}:gen`]) {
      for await (const batch of this.redis.scanStream({ match, count: 500 }) as AsyncIterable<string[]>) {
        for (const k of batch) keys.add(k.endsWith(':gen') ? k.slice(0, -4) : k);
      }
    }
    await this.invalidate(...keys);
  }

  /** Drops the cached views `keys` now (in every instance). */
  async invalidate(...keys: string[]): Promise<void> {
    if (!keys.length) return;
    const m = this.redis.multi();
    for (const k of keys) m.incr(`${k}:gen`).expire(`${k}:gen`, 86_400).del(k);
    await m.exec();
  }
}
