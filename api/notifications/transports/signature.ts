// Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 with the
// subscription's secret over `${id}.${timestamp}.${body}`, sent as
// webhook-id / webhook-timestamp (Unix seconds) / webhook-signature ("v1,<base64>").
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'whsec_';

/** A new per-subscription secret: `whsec_` + 32 random bytes in base64. */
export const newWebhookSecret = () => `${PREFIX}${randomBytes(32).toString('base64')}`;

const keyOf = (secret: string) => Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');

/** The `v1,<base64>` signature of one message. */
export function signWebhook(secret: string, id: string, timestampS: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestampS}.${body}`).digest('base64')}`;
}

/** Headers of one signed delivery. */
export function webhookHeaders(secret: string, id: string, timestampS: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': signWebhook(secret, id, timestampS, body),
  };
}

/**
 * What a receiver runs: true when one of the space-separated `v1,` signatures matches and the
 * timestamp is within `toleranceS` of `nowS` (replay window).
 */
export function verifyWebhook(secret: string, headers: { id: string; timestamp: string; signature: string }, body: string, nowS = Math.floor(Date.now() / 1000), toleranceS = 300): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowS - ts) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, headers.id, ts, body));
  return headers.signature.split(' ').some((s) => {
    const given = Buffer.from(s);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
