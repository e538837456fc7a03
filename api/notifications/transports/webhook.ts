import { DeliveryError, type Destination, type OutboundMessage, type Transport } from './types.ts';
import { webhookHeaders } from './signature.ts';

/**
 * Signed webhook deliveries (Standard Webhooks headers; see signature.ts). Any 2xx is success;
 * anything else, a timeout or a network error throws a DeliveryError (retried by the worker).
 * Redirects are not followed: a receiver must answer at the URL it registered.
 */
export function webhookTransport(options: { timeoutMs: number }): Transport {
  return {
    channel: 'webhook',
    async send(to: Destination, message: OutboundMessage) {
      if (to.kind !== 'webhook') throw new Error('webhook transport needs a webhook destination');
      const body = JSON.stringify({ type: message.type, timestamp: message.timestamp.toISOString(), data: message.data });
      const headers = webhookHeaders(to.secret, message.id, Math.floor(Date.now() / 1000), body);
      let res: Response;
      try {
        res = await fetch(to.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) });
      } catch (err) {
        throw new DeliveryError(`webhook request failed: ${(err as Error).message}`, null);
      }
      await res.body?.cancel();
      if (res.status < 200 || res.status >= 300) throw new DeliveryError(`webhook answered ${res.status}`, res.status);
      return res.status;
    },
  };
}
