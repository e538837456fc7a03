// The outbound delivery worker: one BullMQ job per (webhook subscription, event) or (channel, notification).
import { Queue, Worker, type Job } from 'bullmq';
import type pg from 'pg';
import { NOTIFY_DEAD_LETTER_QUEUE, NOTIFY_DELIVERY_QUEUE, type NotifyDeliveryJobData } from '../../lib/queues.ts';
import type { Redis } from '../../lib/redis.ts';
import { DeliveryError, type Transport } from './transports/types.ts';
import { NOTIFICATION_COLUMNS, notificationView, type NotificationRow } from './view.ts';

export interface DeliveryWorkerOptions {
  pool: pg.Pool;
  connection: Redis;
  prefix: string;
  transports: readonly Transport[];
  concurrency?: number;
  onError(err: unknown): void;
}

export interface DeliveryWorker {
  worker: Worker<NotifyDeliveryJobData, number | null>;
  deadLetter: Queue;
  close(): Promise<void>;
}

interface DeliveryRow { id: string; event_type: string; payload: unknown; status: string; created_at: Date; url: string; secret: string; disabled: boolean }

/**
 * Sends each job through its channel's transport. A webhook job records every attempt on its
 * webhook_deliveries row (attempts, last status/error) and ends 'delivered', 'cancelled' (the
 * subscription was disabled) or, after the job's last attempt, 'dead' with a copy of the job in
 * the dead-letter queue.
 */
export function startDeliveryWorker(o: DeliveryWorkerOptions): DeliveryWorker {
  const byChannel = new Map(o.transports.map((t) => [t.channel, t]));
  const transport = (channel: string) => {
    const t = byChannel.get(channel as Transport['channel']);
    if (!t) throw new Error(`no transport for channel ${channel}`);
    return t;
  };
  const deadLetter = new Queue(NOTIFY_DEAD_LETTER_QUEUE, { connection: o.connection, prefix: o.prefix });

  async function deliverWebhook(deliveryId: string): Promise<number | null> {
    const d = (await o.pool.query<DeliveryRow>(
      `SELECT d.id::text, d.event_type, d.payload, d.status, d.created_at, s.url, s.secret, s.disabled_at IS NOT NULL AS disabled
         FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = $1::uuid`, [deliveryId])).rows[0];
    if (!d || d.status !== 'pending') return null;
    if (d.disabled) {
      await o.pool.query(`UPDATE webhook_deliveries SET status = 'cancelled' WHERE id = $1::uuid AND status = 'pending'`, [d.id]);
      return null;
    }
    try {
      const status = await transport('webhook').send({ kind: 'webhook', url: d.url, secret: d.secret }, { id: d.id, type: d.event_type, timestamp: d.created_at, data: d.payload });
      await o.pool.query(
        `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = $2, last_error = NULL, delivered_at = now() WHERE id = $1::uuid`,
        [d.id, status]);
      return status;
    } catch (err) {
      await o.pool.query('UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3 WHERE id = $1::uuid',
        [d.id, err instanceof DeliveryError ? err.status : null, (err as Error).message.slice(0, 500)]);
      throw err;
    }
  }

  async function deliverToPlayer(channel: 'email' | 'push' | 'sms', notificationId: string): Promise<number | null> {
    const n = (await o.pool.query<NotificationRow>(`SELECT ${NOTIFICATION_COLUMNS} FROM notifications WHERE id = $1::uuid`, [notificationId])).rows[0];
    if (!n) return null;
    return transport(channel).send({ kind: 'player', playerId: n.player_id }, { id: n.id, type: n.kind, timestamp: n.created_at, data: notificationView(n) });
  }

  const worker = new Worker<NotifyDeliveryJobData, number | null>(
    NOTIFY_DELIVERY_QUEUE,
    (job: Job<NotifyDeliveryJobData>) => (job.data.channel === 'webhook' ? deliverWebhook(job.data.deliveryId) : deliverToPlayer(job.data.channel, job.data.notificationId)),
    { connection: o.connection, prefix: o.prefix, concurrency: o.concurrency ?? 8 },
  );
  worker.on('error', () => undefined); // connection errors are retried by ioredis; job failures stay on the job
  worker.on('failed', (job, err) => {
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    void (async () => {
      if (job.data.channel === 'webhook') {
        await o.pool.query(`UPDATE webhook_deliveries SET status = 'dead' WHERE id = $1::uuid AND status = 'pending'`, [job.data.deliveryId]);
      }
      await deadLetter.add(job.name, { ...job.data, error: err.message, attempts: job.attemptsMade }, { jobId: job.id, removeOnComplete: false, removeOnFail: false });
    })().catch(o.onError);
  });

  return {
    worker,
    deadLetter,
    async close() {
      await worker.close();
      await deadLetter.close();
    },
  };
}
