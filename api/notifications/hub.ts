import type { Redis } from '../../lib/redis.ts';
import { liveChannel, type NotificationView } from './view.ts';

type Listener = (n: NotificationView) => void;

/**
 * Fans Redis pub/sub messages out to the live streams of this API instance: one subscriber
 * connection per instance, one Redis SUBSCRIBE per player with at least one open stream.
 */
export class LiveHub {
  private readonly sub: Redis;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(redis: Redis, private readonly prefix: string) {
    this.sub = redis.duplicate();
    this.sub.on('error', () => undefined); // ioredis reconnects and resubscribes on its own
    this.sub.on('message', (channel: string, message: string) => {
      const set = this.listeners.get(channel);
      if (!set) return;
      const n = JSON.parse(message) as NotificationView;
      for (const l of set) l(n);
    });
  }

  /** Calls `listener` for each live notification of `playerId` until the returned function is called. */
  async subscribe(playerId: string, listener: Listener): Promise<() => Promise<void>> {
    const channel = liveChannel(this.prefix, playerId);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.sub.subscribe(channel);
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(channel) === set) {
        this.listeners.delete(channel);
        await this.sub.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.sub.quit().catch(() => undefined);
  }
}
