// Keeps the cached zone activity views (GET /api/map/zones/:id/activity, 30 min) honest: a
// trigger on `actions` announces each changed zone on the `zone_activity` channel, and this
// LISTENing client drops that zone's view at once, in every API instance's shared Redis cache.
// While the connection is down announcements are lost, so on every (re)connect it drops all
// zone views; until it is connected the route does not use the cache at all.
import pg from 'pg';
import type { ReadCache } from '../lib/read-cache.ts';

export const ZONE_ACTIVITY_CHANNEL = 'zone_activity';
const RECONNECT_MS = 1000;

export interface ZoneActivityWatch {
  /** True while announcements arrive (the cache may be used). */
  readonly live: boolean;
  close(): Promise<void>;
}

export const zoneActivityKey = (cache: ReadCache, zoneId: string) => cache.key('zone-activity', zoneId);

export function startZoneActivityWatch(databaseUrl: string, cache: ReadCache, onError: (err: unknown) => void): ZoneActivityWatch {
  let client: pg.Client | null = null;
  let live = false;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;

  const retry = () => {
    live = false;
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, RECONNECT_MS);
    timer.unref();
  };

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: databaseUrl });
    client = c;
    c.on('error', (err) => {
      onError(err);
      void c.end().catch(() => undefined);
      retry();
    });
    c.on('end', retry);
    c.on('notification', (n) => {
      if (n.channel === ZONE_ACTIVITY_CHANNEL && n.payload) void cache.invalidate(zoneActivityKey(cache, n.payload)).catch(onError);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${ZONE_ACTIVITY_CHANNEL}`);
      await cache.invalidateMatching(zoneActivityKey(cache, '*'));
      if (closed) return void (await c.end().catch(() => undefined));
      live = true;
    } catch (err) {
      onError(err);
      await c.end().catch(() => undefined);
      retry();
    }
  }
  void connect();

  return {
    get live() {
      return live;
    },
    async close() {
      closed = true;
      live = false;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
