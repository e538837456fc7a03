// Dispatcher: turns committed notification rows (the outbox) into live messages and outbound jobs.
import type { Queue } from 'bullmq';
import pg from 'pg';
import { NOTIFY_PG_CHANNEL } from '../../lib/notify.ts';
import type { NotifyDeliveryJobData } from '../../lib/queues.ts';
import type { Redis } from '../../lib/redis.ts';
import { inTransaction } from '../../lib/transaction.ts';
import { deliveryJobOptions } from './jobs.ts';
import { liveChannel, NOTIFICATION_COLUMNS, notificationView, type NotificationRow } from './view.ts';

const BATCH = 1000;
type Row = NotificationRow & { channels: string[] };

export interface DispatcherOptions {
  databaseUrl: string;
  pool: pg.Pool;
  redis: Redis;
  redisPrefix: string;
  queue: Queue<NotifyDeliveryJobData>;
  attempts: number;
  backoffMs: number;
  sweepMs: number;
  onError(err: unknown): void;
}

export interface Dispatcher {
  /** Dispatches every undispatched notification; resolves with how many it took. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Wakes on pg_notify (sent by lib/notify.ts on commit) and every `sweepMs` (a notification
 * committed while no dispatcher listened). Rows are claimed with FOR UPDATE SKIP LOCKED, so API
 * instances share the work. Live messages are at most once (the app resyncs with the list route);
 * outbound deliveries are rows first, then jobs with a stable jobId, re-enqueued by the sweep while
 * pending, so a crash between commit and enqueue loses none.
 */
export async function startDispatcher(o: DispatcherOptions): Promise<Dispatcher> {
  const jobOpts = (jobId: string) => deliveryJobOptions(jobId, o.attempts, o.backoffMs);

  async function dispatchBatch(): Promise<number> {
    const { rows, deliveries } = await inTransaction(o.pool, async (c) => {
      const rows = (await c.query<Row>(
        `SELECT ${NOTIFICATION_COLUMNS}, channels FROM notifications WHERE dispatched_at IS NULL ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`)).rows;
      if (!rows.length) return { rows, deliveries: [] as string[] };
      const hooked = rows.filter((r) => r.channels.includes('webhook'));
      const deliveries = hooked.length ? (await c.query<{ id: string }>(
        `INSERT INTO webhook_deliveries (id, subscription_id, event_key, event_type, payload)
         SELECT gen_random_uuid(), s.id, n.id, 'notification.' || n.kind, n.payload
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[]) AS n(id, player_id, kind, payload)
           JOIN webhook_subscriptions s ON s.player_id = n.player_id AND s.topic = 'notifications' AND s.disabled_at IS NULL
         ON CONFLICT (subscription_id, event_key) DO NOTHING RETURNING id::text`,
        [hooked.map((r) => r.id), hooked.map((r) => r.player_id), hooked.map((r) => r.kind), hooked.map((r) => JSON.stringify(notificationView(r)))],
      )).rows.map((r) => r.id) : [];
      await c.query('UPDATE notifications SET dispatched_at = now() WHERE id = ANY($1::uuid[])', [rows.map((r) => r.id)]);
      return { rows, deliveries };
    });
    const live = o.redis.pipeline();
    for (const r of rows) if (r.channels.includes('in_app')) live.publish(liveChannel(o.redisPrefix, r.player_id), JSON.stringify(notificationView(r)));
    await live.exec();
    const jobs = [
      ...deliveries.map((id) => ({ name: 'webhook', data: { channel: 'webhook' as const, deliveryId: id }, opts: jobOpts(`webhook-${id}`) })),
      ...rows.flatMap((r) => (['email', 'push', 'sms'] as const).filter((ch) => r.channels.includes(ch))
        .map((ch) => ({ name: ch, data: { channel: ch, notificationId: r.id }, opts: jobOpts(`${ch}-${r.id}`) }))),
    ];
    if (jobs.length) await o.queue.addBulk(jobs);
    return rows.length;
  }

  /** Pending webhook deliveries older than a minute get their job again (a no-op when it exists). */
  async function requeueStale(): Promise<void> {
    const stale = (await o.pool.query<{ id: string }>(
      `SELECT id::text FROM webhook_deliveries WHERE status = 'pending' AND created_at < now() - interval '1 minute' ORDER BY created_at LIMIT 1000`)).rows;
    if (stale.length) await o.queue.addBulk(stale.map((d) => ({ name: 'webhook', data: { channel: 'webhook' as const, deliveryId: d.id }, opts: jobOpts(`webhook-${d.id}`) })));
  }

  let running: Promise<number> | null = null;
  let again = false;
  function sweep(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        for (let n = BATCH; n === BATCH; total += n) n = await dispatchBatch();
      } while (again);
      return total;
    })().finally(() => {
      running = null;
    });
    return running;
  }
  const safeSweep = () => void sweep().catch(o.onError);

  const listener = new pg.Client({ connectionString: o.databaseUrl });
  listener.on('error', o.onError);
  listener.on('notification', safeSweep);
  await listener.connect();
  await listener.query(`LISTEN ${NOTIFY_PG_CHANNEL}`);
  const timer = setInterval(() => {
    safeSweep();
    void requeueStale().catch(o.onError);
  }, o.sweepMs);
  safeSweep();

  return {
    sweep,
    async close() {
      clearInterval(timer);
      await running?.catch(() => undefined);
      await listener.end().catch(() => undefined);
    },
  };
}
