import type { FastifyInstance } from 'fastify';
import { SIGNED_IN } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { caller } from '../plugins/auth.ts';
import { subscribe, subscriptionSchema, webhookBody } from './notification.ts';
import { bearer, errors } from './schemas.ts';

/**
 * Webhook subscriptions to ledger entry status changes (in-log → anchored → final), for one entry
 * or all of them. Deliveries are signed like notification webhooks (Standard Webhooks) and carry
 * `ledger.entry.<status>` with the epoch and the seq range that reached the status.
 */
export default async function ledgerWebhookRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { pool } = deps;
  app.post<{ Body: { url: string; entrySeq?: string } }>('/api/ledger/webhooks', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: 'Be called (signed, Standard Webhooks) when ledger entries become in-log, anchored and final: one entry (entrySeq) or every entry; idempotent per URL and entry',
      tags: ['ledger'], security: bearer,
      body: { ...webhookBody, properties: { ...webhookBody.properties, entrySeq: { type: 'string', pattern: '^(0|[1-9][0-9]{0,14})$' } } },
      response: { 200: subscriptionSchema, 201: subscriptionSchema, ...errors(400, 401, 404, 429) },
    },
  }, async (req, reply) => {
    const seq = req.body.entrySeq ?? null;
    if (seq !== null && !(await pool.query('SELECT 1 FROM ledger_entries WHERE seq = $1::bigint', [seq])).rowCount) throw notFound('ledger entry');
    const { created, subscription } = await subscribe(deps, caller(req).sub, 'ledger', seq, req.body.url);
    return reply.status(created ? 201 : 200).send(subscription);
  });
}
