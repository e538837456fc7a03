// How a notification looks to the app, the live stream and webhook receivers.
export interface NotificationRow {
  id: string;
  player_id: string;
  kind: string;
  title: string;
  body: string;
  data: unknown;
  read_at: Date | null;
  created_at: Date;
}

export const NOTIFICATION_COLUMNS = 'id::text, player_id::text, kind, title, body, data, read_at, created_at';

export function notificationView(r: NotificationRow) {
  return { id: r.id, kind: r.kind, title: r.title, body: r.body, data: r.data ?? {}, readAt: r.read_at?.toISOString() ?? null, createdAt: r.created_at.toISOString() };
}
export type NotificationView = ReturnType<typeof notificationView>;

export const notificationSchema = {
  type: 'object',
  required: ['id', 'kind', 'title', 'body', 'data', 'readAt', 'createdAt'],
  properties: {
    id: { type: 'string' }, kind: { type: 'string' }, title: { type: 'string' }, body: { type: 'string' },
    data: { type: 'object', additionalProperties: true }, readAt: { type: ['string', 'null'] }, createdAt: { type: 'string' },
  },
} as const;

/** Redis pub/sub channel carrying one player's live notifications (every API instance subscribes on demand). */
export const liveChannel = (prefix: string, playerId: string) => `${prefix}notify:${playerId}`;
