// notify: the one way any service records a notification for a player. Services meet in Postgres:
// the row is written in the caller's transaction and announced with pg_notify, which Postgres
// delivers only on commit; the API's dispatcher (api/notifications/dispatcher.ts) then publishes it
// on Redis for live streams and enqueues its outbound deliveries.
import type pg from 'pg';

export const NOTIFICATION_KINDS = ['proof_verified', 'proof_rejected', 'badge_earned', 'epoch_anchored', 'claim_available', 'reward_fulfilled'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const CHANNELS = ['in_app', 'webhook', 'email', 'push', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A channel's state for a player who never set a preference: in-app and webhooks on, the rest opt-in. */
export const CHANNEL_DEFAULTS: Readonly<Record<Channel, boolean>> = { in_app: true, webhook: true, email: false, push: false, sms: false };

/** The Postgres LISTEN channel the dispatcher wakes up on. */
export const NOTIFY_PG_CHANNEL = 'oneheart_notifications';

/** What each kind carries (amounts are decimal strings of base units). */
export interface NotificationPayloads {
  proof_verified: { actionId: string; seq: string; xp: number; heart: string; impactCredits: string };
  proof_rejected: { actionId: string; flags: string[]; authenticity: number };
  badge_earned: { code: string; name: string; rulesVersion?: number; actionId?: string };
  epoch_anchored: { epoch: number; txHash: string; entries: number };
  claim_available: { epoch: number; cumulativeAmount: string; newAmount: string };
  reward_fulfilled: { redemptionId: string; rewardId: string; title: string; txHash: string };
}

export type NotifyInput = {
  [K in NotificationKind]: {
    playerId: string;
    kind: K;
    payload: NotificationPayloads[K];
    /** Unique per player: a second notify with the same key writes nothing (retries, reorgs, replays). */
    dedupeKey: string;
  };
}[NotificationKind];

const TEXT: { [K in NotificationKind]: (p: NotificationPayloads[K]) => [title: string, body: string] } = {
  proof_verified: (p) => ['Good deed verified', `Your proof is on the ledger as entry #${p.seq}: +${p.xp} XP.`],
  proof_rejected: (p) => ['Proof not accepted', p.flags.length ? `Your proof was rejected (${p.flags.join(', ')}).` : 'Your proof was rejected.'],
  badge_earned: (p) => ['Badge earned', `You earned the "${p.name}" badge.`],
  epoch_anchored: (p) => ['Ledger anchored', `Epoch ${p.epoch} is anchored on-chain, with ${p.entries} of your deeds.`],
  claim_available: (p) => ['Heart ready to claim', `Epoch ${p.epoch} added Heart you can claim now.`],
  reward_fulfilled: (p) => ['Reward fulfilled', `Your redemption of "${p.title}" is confirmed on-chain.`],
};

function render<K extends NotificationKind>(kind: K, payload: NotificationPayloads[K]): [string, string] {
  return (TEXT[kind] as (p: NotificationPayloads[K]) => [string, string])(payload);
}

export type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * Records notifications in the caller's transaction (or autocommit on a pool). Each gets the
 * channels its player's preferences enable (see CHANNEL_DEFAULTS); one with no enabled channel is
 * not written, nor is one whose (player, dedupeKey) exists. Returns the ids written.
 */
export async function notifyMany(sql: Queryable, inputs: readonly NotifyInput[]): Promise<string[]> {
  if (!inputs.length) return [];
  const text = inputs.map((i) => render(i.kind, i.payload as never));
  const r = await sql.query<{ id: string }>(
    `WITH input AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[]) AS i(player_id, kind, title, body, data, dedupe_key)
     ), chosen AS (
       SELECT i.player_id, i.kind, i.title, i.body, i.data, i.dedupe_key,
              array_agg(c.channel ORDER BY c.ord) FILTER (WHERE COALESCE(p.enabled, c.dflt)) AS channels
         FROM input i CROSS JOIN unnest($7::text[], $8::bool[]) WITH ORDINALITY AS c(channel, dflt, ord)
         LEFT JOIN notification_preferences p ON p.player_id = i.player_id AND p.kind = i.kind AND p.channel = c.channel
        GROUP BY i.player_id, i.kind, i.title, i.body, i.data, i.dedupe_key
     ), ins AS (
       INSERT INTO notifications (id, player_id, kind, title, body, data, dedupe_key, channels)
       SELECT gen_random_uuid(), player_id, kind, title, body, data, dedupe_key, channels FROM chosen WHERE channels IS NOT NULL
       ON CONFLICT (player_id, dedupe_key) DO NOTHING
       RETURNING id::text
     )
     -- Postgres folds identical notifications of one transaction into one, delivered on commit.
     SELECT id, pg_notify($9, '') FROM ins`,
    [
      inputs.map((i) => i.playerId),
      inputs.map((i) => i.kind),
      text.map(([title]) => title),
      text.map(([, body]) => body),
      inputs.map((i) => JSON.stringify(i.payload)),
      inputs.map((i) => i.dedupeKey),
      [...CHANNELS],
      CHANNELS.map((c) => CHANNEL_DEFAULTS[c]),
      NOTIFY_PG_CHANNEL,
    ],
  );
  return r.rows.map((row) => row.id);
}

/**
 * One notification; null when it already existed or every channel is off for its kind.
 *
 * @example
 * await inTransaction(pool, async (tx) => {
 *   // … the change that deserves a notification …
 *   await notify(tx, { playerId, kind: 'reward_fulfilled', payload: { redemptionId, rewardId, title, txHash }, dedupeKey: `reward_fulfilled:${redemptionId}` });
 * });
 */
export async function notify(sql: Queryable, input: NotifyInput): Promise<string | null> {
  const [id] = await notifyMany(sql, [input]);
  return id ?? null;
}
