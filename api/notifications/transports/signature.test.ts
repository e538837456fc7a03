import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newWebhookSecret, verifyWebhook, webhookHeaders } from './signature.ts';

describe('Standard Webhooks signatures', () => {
  const secret = newWebhookSecret();
  const body = '{"type":"ledger.entry","data":{"seq":7}}';
  const now = 1_800_000_000;
  const signed = (ts = now, s = secret) => {
    const h = webhookHeaders(s, 'msg_1', ts, body);
    return { id: h['webhook-id'] ?? '', timestamp: h['webhook-timestamp'] ?? '', signature: h['webhook-signature'] ?? '' };
  };

  it('a receiver accepts what was sent, within the replay window', () => {
    assert.match(secret, /^whsec_/);
    assert.equal(verifyWebhook(secret, signed(), body, now), true);
    assert.equal(verifyWebhook(secret, signed(now - 299), body, now), true);
  });

  it('refuses another body, another secret, another id, a stale or future timestamp, a malformed one', () => {
    assert.equal(verifyWebhook(secret, signed(), `${body} `, now), false);
    assert.equal(verifyWebhook(newWebhookSecret(), signed(), body, now), false);
    assert.equal(verifyWebhook(secret, { ...signed(), id: 'msg_2' }, body, now), false);
    assert.equal(verifyWebhook(secret, signed(now - 301), body, now), false);
    assert.equal(verifyWebhook(secret, signed(now + 301), body, now), false);
    assert.equal(verifyWebhook(secret, { ...signed(), timestamp: 'soon' }, body, now), false);
  });

  it('accepts any one of several space-separated signatures (secret rotation)', () => {
    const old = signed(now, newWebhookSecret()).signature;
    assert.equal(verifyWebhook(secret, { ...signed(), signature: `${old} ${signed().signature}` }, body, now), true);
    assert.equal(verifyWebhook(secret, { ...signed(), signature: old }, body, now), false);
  });
});
