import type { FastifyBaseLogger } from 'fastify';
import type { Destination, OutboundMessage, Transport } from './types.ts';

/**
 * DEV ONLY: "delivers" e-mail, push and SMS by logging them (players have no e-mail address,
 * device token or phone number on record yet). A real provider implements Transport the same way.
 */
export function logTransport(channel: 'email' | 'push' | 'sms', logger: FastifyBaseLogger): Transport {
  return {
    channel,
    async send(to: Destination, message: OutboundMessage) {
      logger.info({ channel, to: to.kind === 'player' ? to.playerId : 'webhook', messageId: message.id, type: message.type }, 'dev-only outbound notification (not sent)');
      return null;
    },
  };
}
