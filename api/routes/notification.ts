import type { FastifyInstance } from 'fastify';
import { inTransaction } from '../../lib/transaction.ts';
import { CHANNEL_DEFAULTS, CHANNELS, NOTIFICATION_KINDS, type Channel, type NotificationKind } from '../../lib/notify.ts';
import { SIGNED_IN } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { LiveHub } from '../notifications/hub.ts';
import { newWebhookSecret } from '../notifications/transports/signature.ts';
import { NOTIFICATION_COLUMNS, notificationSchema, notificationView, type NotificationRow, type NotificationView } from '../notifications/view.ts';
import { caller } from '../plugins/auth.ts';
import { bearer, errors, idParams } from './schemas.ts';

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'string', pattern: '^(100|[1-9][0-9]?)$' },
    cursor: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,200}$' },
    unread: { type: 'string', enum: ['true', 'false'] },
  },
} as const;

const preferencesSchema = {
  type: 'object',
  required: ['preferences'],
  properties: {
    preferences: {
      type: 'object',
      description: 'kind → channel → enabled',
      additionalProperties: { type: 'object', additionalProperties: { type: 'boolean' } },
    },
  },
} as const;

const preferencesBody = {
  type: 'object',
  additionalProperties: false,
  required: ['preferences'],
  properties: {
    preferences: {
      type: 'array', minItems: 1, maxItems: NOTIFICATION_KINDS.length * CHANNELS.length,
      items: {
        type: 'object', additionalProperties: false, required: ['kind', 'channel', 'enabled'],
        properties: { kind: { type: 'string', enum: [...NOTIFICATION_KINDS] }, channel: { type: 'string', enum: [...CHANNELS] }, enabled: { type: 'boolean' } },
      },
    },
  },
} as const;

export const webhookBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: { url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2000 } },
} as const;

export const subscriptionSchema = {
  type: 'object',
  required: ['id', 'topic', 'url', 'secret', 'createdAt'],
  properties: { id: { type: 'string' }, topic: { type: 'string' }, entrySeq: { type: ['string', 'null'] }, url: { type: 'string' }, secret: { type: 'string' }, createdAt: { type: 'string' } },
} as const;

interface Pref { kind: NotificationKind; channel: Channel; enabled: boolean }

/** Cursor = base64url("<created_at ISO>|<id>") of the last item of the previous page (newest first). */
const encodeCursor = (r: NotificationRow) => Buffer.from(`${r.created_at.toISOString()}|${r.id}`).toString('base64url');
function decodeCursor(c: string): [Date, string] {
  const [at, id] = Buffer.from(c, 'base64url').toString().split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new ApiError(400, 'BAD_CURSOR', 'cursor is not one this API issued');
  return [date, id];
}

/**
 * In-app notifications of the signed-in caller, their channel preferences, webhook
 * subscriptions, and a live Server-Sent Events stream fed by Redis pub/sub (so a notification
 * dispatched by any API instance reaches a stream open on any other).
 */
export default async function notificationRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { pool } = deps;
  const hub = new LiveHub(deps.redis, deps.config.REDIS_PREFIX);
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end(); // open streams would otherwise hold the server open
  });
  app.addHook('onClose', async () => {
    await hub.close();
  });

  async function preferences(playerId: string) {
    const rows = (await pool.query<Pref>('SELECT kind, channel, enabled FROM notification_preferences WHERE player_id = $1::uuid', [playerId])).rows;
    const out: Record<string, Record<string, boolean>> = {};
    for (const kind of NOTIFICATION_KINDS) out[kind] = { ...CHANNEL_DEFAULTS };
    for (const r of rows) if (out[r.kind]) out[r.kind]![r.channel] = r.enabled;
    return { preferences: out };
  }

  app.get<{ Querystring: { limit?: string; cursor?: string; unread?: string } }>('/api/notification/list', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: 'Your in-app notifications, newest first (cursor pagination; unread=true for unread only)', tags: ['notification'], security: bearer,
      querystring: listQuery,
      response: {
        200: { type: 'object', required: ['notifications', 'nextCursor', 'unread'], properties: { notifications: { type: 'array', items: notificationSchema }, nextCursor: { type: ['string', 'null'] }, unread: { type: 'integer' } } },
        ...errors(400, 401, 429),
      },
    },
  }, async (req) => {
    const me = caller(req);
    const limit = Number(req.query.limit ?? 20);
    const params: unknown[] = [me.sub, limit + 1];
    let where = `player_id = $1::uuid AND 'in_app' = ANY(channels)`;
    if (req.query.unread === 'true') where += ' AND read_at IS NULL';
    if (req.query.cursor) {
      const [at, id] = decodeCursor(req.query.cursor);
      params.push(at, id);
      where += ' AND (created_at, id) < ($3::timestamptz, $4::uuid)';
    }
    const rows = (await pool.query<NotificationRow>(`SELECT ${NOTIFICATION_COLUMNS} FROM notifications WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`, params)).rows;
    const unread = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE player_id = $1::uuid AND 'in_app' = ANY(channels) AND read_at IS NULL`, [me.sub])).rows[0]?.n ?? 0;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { notifications: page.map(notificationView), nextCursor: rows.length > limit && last ? encodeCursor(last) : null, unread };
  });

  app.patch<{ Params: { id: string } }>('/api/notification/:id/read', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: 'Mark one of your notifications read (idempotent: the first read time is kept)', tags: ['notification'], security: bearer, params: idParams,
      response: { 200: notificationSchema, ...errors(400, 401, 404, 429) },
    },
  }, async (req) => {
    const me = caller(req);
    const [row] = (await pool.query<NotificationRow>(
      `UPDATE notifications SET read_at = COALESCE(read_at, now()) WHERE id = $1::uuid AND player_id = $2::uuid RETURNING ${NOTIFICATION_COLUMNS}`,
      [req.params.id, me.sub])).rows;
    if (!row) throw notFound('notification'); // another player's notification is indistinguishable from a missing one
    return notificationView(row);
  });

  app.get('/api/notification/preferences', {
    config: { auth: SIGNED_IN },
    schema: { summary: 'Your channel preferences per notification kind', tags: ['notification'], security: bearer, response: { 200: preferencesSchema, ...errors(401, 429) } },
  }, async (req) => preferences(caller(req).sub));

  app.post<{ Body: { preferences: Pref[] } }>('/api/notification/preferences', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: `Turn channels (${CHANNELS.join(', ')}) on or off per notification kind; returns the whole matrix (unset pairs show their default)`,
      tags: ['notification'], security: bearer, body: preferencesBody, response: { 200: preferencesSchema, ...errors(400, 401, 429) },
    },
  }, async (req) => {
    const me = caller(req);
    const prefs = req.body.preferences;
    await pool.query(
      `INSERT INTO notification_preferences (player_id, kind, channel, enabled, updated_at)
       SELECT $1::uuid, k, c, e, now() FROM unnest($2::text[], $3::text[], $4::bool[]) AS u(k, c, e)
       ON CONFLICT (player_id, kind, channel) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()`,
      [me.sub, prefs.map((p) => p.kind), prefs.map((p) => p.channel), prefs.map((p) => p.enabled)],
    ).catch((err: { code?: string }) => {
      if (err.code === '21000') throw new ApiError(400, 'DUPLICATE_PREFERENCE', 'each kind × channel may appear once');
      throw err;
    });
    return preferences(me.sub);
  });

  app.post<{ Body: { url: string } }>('/api/notification/webhooks', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: 'Receive your notifications as signed webhooks (Standard Webhooks; the secret verifies webhook-signature); idempotent per URL',
      tags: ['notification'], security: bearer, body: webhookBody, response: { 200: subscriptionSchema, 201: subscriptionSchema, ...errors(400, 401, 429) },
    },
  }, async (req, reply) => {
    const { created, subscription } = await subscribe(deps, caller(req).sub, 'notifications', null, req.body.url);
    return reply.status(created ? 201 : 200).send(subscription);
  });

  app.get<{ Headers: { 'last-event-id'?: string } }>('/api/notification/stream', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: 'Live notifications as Server-Sent Events (event "notification", id = notification id; Last-Event-ID replays what was missed; ": ping" heartbeats)',
      tags: ['notification'], security: bearer,
      headers: { type: 'object', properties: { 'last-event-id': { type: 'string', format: 'uuid' } } },
      response: { 200: { description: 'text/event-stream', type: 'string' }, ...errors(400, 401, 429) },
    },
  }, async (req, reply) => {
    const me = caller(req);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': req.id,
    });
    const send = (n: NotificationView) => res.write(`id: ${n.id}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`);
    // Subscribe before replaying so nothing falls in between (a duplicate carries the same id).
    let unsubscribe: () => Promise<void>;
    try {
      unsubscribe = await hub.subscribe(me.sub, send);
    } catch (err) {
      req.log.error({ err }, 'live stream: Redis subscribe failed');
      res.end(); // the client reconnects with Last-Event-ID
      return;
    }
    const heartbeat = setInterval(() => res.write(': ping\n\n'), deps.config.NOTIFY_SSE_HEARTBEAT_MS);
    const end = () => {
      clearInterval(heartbeat);
      streams.delete(end);
      void unsubscribe();
      res.end();
    };
    streams.add(end);
    req.raw.on('close', end);
    res.write(': connected\n\n');
    const lastId = req.headers['last-event-id'];
    if (lastId) {
      const missed = (await pool.query<NotificationRow>(
        `SELECT ${NOTIFICATION_COLUMNS} FROM notifications n
          WHERE player_id = $1::uuid AND 'in_app' = ANY(channels) AND dispatched_at IS NOT NULL
            AND (created_at, id) > (SELECT created_at, id FROM notifications WHERE id = $2::uuid AND player_id = $1::uuid)
          ORDER BY created_at, id LIMIT 100`, [me.sub, lastId])).rows;
      for (const n of missed) send(notificationView(n));
    }
  });
}

/** A webhook subscription of `playerId`, created once per (topic, entry, URL): a repeat returns the existing one and its secret. */
export async function subscribe(deps: Deps, playerId: string, topic: 'notifications' | 'ledger', entrySeq: string | null, url: string) {
  if (deps.config.NODE_ENV === 'production' && !url.startsWith('https:')) throw new ApiError(400, 'WEBHOOK_URL_INSECURE', 'webhook URLs must be https');
  const view = (r: { id: string; topic: string; entry_seq: string | null; url: string; secret: string; created_at: Date }) =>
    ({ id: r.id, topic: r.topic, entrySeq: r.entry_seq, url: r.url, secret: r.secret, createdAt: r.created_at.toISOString() });
  const cols = 'id::text, topic, entry_seq::text, url, secret, created_at';
  return inTransaction(deps.pool, async (tx) => {
    // Serializes concurrent identical requests, so they yield one subscription.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`webhook:${playerId}:${topic}:${entrySeq ?? '*'}:${url}`]);
    const existing = (await tx.query(
      `SELECT ${cols} FROM webhook_subscriptions WHERE player_id = $1::uuid AND topic = $2 AND entry_seq IS NOT DISTINCT FROM $3::bigint AND url = $4 AND disabled_at IS NULL`,
      [playerId, topic, entrySeq, url])).rows[0];
    if (existing) return { created: false, subscription: view(existing) };
    const row = (await tx.query(
      `INSERT INTO webhook_subscriptions (id, player_id, topic, entry_seq, url, secret) VALUES (gen_random_uuid(), $1::uuid, $2, $3::bigint, $4, $5) RETURNING ${cols}`,
      [playerId, topic, entrySeq, url, newWebhookSecret()])).rows[0];
    return { created: true, subscription: view(row) };
  });
}
