import type { Channel } from '../../../lib/notify.ts';

/** One outbound message, the same for every channel. */
export interface OutboundMessage {
  /** Stable per delivery: receivers dedupe on it (retries resend the same id). */
  id: string;
  type: string;
  /** When the event happened (the signature's timestamp is the send time). */
  timestamp: Date;
  data: unknown;
}

/** Where a message goes: a webhook subscription, or a player for player-addressed channels. */
export type Destination = { kind: 'webhook'; url: string; secret: string } | { kind: 'player'; playerId: string };

/**
 * An outbound channel. `send` resolves (with the HTTP status when there is one) when the far side
 * accepted the message, and throws otherwise (the job is retried).
 */
export interface Transport {
  readonly channel: Exclude<Channel, 'in_app'>;
  send(to: Destination, message: OutboundMessage): Promise<number | null>;
}

/** A delivery the far side refused; `status` is the HTTP status when there was one. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(message: string, readonly status: number | null) {
    super(message);
  }
}
