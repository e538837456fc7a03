import type { FastifyInstance } from 'fastify';
import { ADMIN_ONLY, SIGNED_IN } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { conflict, notFound } from '../errors.ts';
import { applyImpact, impactView } from '../impact/engine.ts';
import { Leaderboard } from '../impact/leaderboard.ts';
import { caller } from '../plugins/auth.ts';
import { page, pageQuery } from './proof.ts';
import { bearer, decimalString, errors, idParams, uuid } from './schemas.ts';

const impactResult = {
  type: 'object',
  required: ['seq', 'actionId', 'entryHash', 'created', 'breakdown'],
  properties: {
    seq: { type: 'string' }, actionId: { type: 'string' }, entryHash: { type: 'string' }, created: { type: 'boolean' },
    breakdown: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

const ledgerRow = {
  type: 'object',
  required: ['seq', 'entryHash', 'playerAddress', 'xp', 'heart', 'createdAt'],
  properties: { seq: { type: 'string' }, entryHash: { type: 'string' }, playerAddress: { type: 'string' }, xp: { type: 'integer' }, heart: decimalString, createdAt: { type: 'string' } },
} as const;

/** Impact engine endpoints, the public ledger view, and quest completion. */
export default async function impactRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { pool } = deps;
  const leaderboard = new Leaderboard(deps.redis, deps.config.REDIS_PREFIX);
  app.post<{ Body: { actionId: string } }>('/api/impact/calculate', {
    config: { auth: ADMIN_ONLY },
    schema: {
      summary: 'Apply the impact of an approved action (idempotent)', tags: ['impact'], security: bearer,
      body: { type: 'object', additionalProperties: false, required: ['actionId'], properties: { actionId: uuid } },
      response: { 200: impactResult, ...errors(400, 401, 403, 404, 409, 429) },
    },
  }, async (req) => impactView(await applyImpact(pool, req.body.actionId, new Date(), leaderboard)));

  app.get<{ Querystring: { limit?: string; offset?: string } }>('/api/impact/ledger', {
    config: { auth: 'public' },
    schema: {
      summary: 'Ledger entries in seq order', tags: ['impact'], querystring: pageQuery,
      response: { 200: { type: 'object', required: ['entries', 'total'], properties: { entries: { type: 'array', items: ledgerRow }, total: { type: 'integer' } } }, ...errors(400, 429) },
    },
  }, async (req) => {
    const { limit, offset } = page(req.query);
    const [rows, total] = await Promise.all([
      pool.query<{ seq: string; entry_hash: Buffer; player_address: string; xp: number; heart: string; created_at: Date }>(
        `SELECT seq::text, entry_hash, player_address, xp, heart::text, created_at FROM ledger_entries ORDER BY seq LIMIT $1 OFFSET $2`, [limit, offset]),
      pool.query<{ n: string }>('SELECT count(*) AS n FROM ledger_entries'),
    ]);
    return {
      entries: rows.rows.map((r) => ({ seq: r.seq, entryHash: r.entry_hash.toString('hex'), playerAddress: r.player_address, xp: r.xp, heart: r.heart, createdAt: r.created_at.toISOString() })),
      total: Number(total.rows[0]?.n ?? 0),
    };
  });

  app.get('/api/impact/distribution', {
    config: { auth: 'public' },
    schema: {
      summary: 'Heart on the ledger split by fund bucket (local / national / global)', tags: ['impact'],
      response: { 200: { type: 'object', required: ['entries', 'total', 'local', 'national', 'global'], properties: { entries: { type: 'integer' }, total: decimalString, local: decimalString, national: decimalString, global: decimalString } }, ...errors(429) },
    },
  }, async () => {
    const r = (await pool.query<{ entries: string; total: string; local: string; national: string; global: string }>(
      `SELECT count(*)::text AS entries, coalesce(sum(heart), 0)::text AS total,
              coalesce(sum(floor(heart * fund_local_bps / 10000)), 0)::text AS local,
              coalesce(sum(floor(heart * fund_national_bps / 10000)), 0)::text AS national,
              coalesce(sum(floor(heart * fund_global_bps / 10000)), 0)::text AS global
         FROM ledger_entries`)).rows[0];
    return { entries: Number(r?.entries ?? 0), total: r?.total ?? '0', local: r?.local ?? '0', national: r?.national ?? '0', global: r?.global ?? '0' };
  });

  app.post<{ Params: { id: string } }>('/api/quest/:id/complete', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: 'Complete a quest whose proof was approved (applies its impact); a finished quest answers 409', tags: ['quest'], security: bearer, params: idParams,
      response: { 200: impactResult, ...errors(400, 401, 404, 409, 429) },
    },
  }, async (req) => {
    const me = caller(req);
    const rows = (await pool.query<{ id: string; status: string; action_id: string | null; decision: string | null }>(
      `SELECT qa.id::text, qa.status::text, a.id::text AS action_id, coalesce(r.decision, v.decision)::text AS decision
         FROM quest_assignments qa
         LEFT JOIN actions a ON a.assignment_id = qa.id
         LEFT JOIN verification_results v ON v.action_id = a.id
         LEFT JOIN review_decisions r ON r.kind = 'proof' AND r.subject_id = a.id
        WHERE qa.mission_id = $1::uuid AND qa.player_id = $2::uuid AND qa.status <> 'abandoned'
        ORDER BY qa.started_at DESC, a.submitted_at DESC NULLS LAST`, [req.params.id, me.sub])).rows;
    const latest = rows[0];
    if (!latest) throw notFound('quest assignment');
    if (latest.status === 'completed') throw conflict('QUEST_ALREADY_COMPLETED', 'quest is already completed');
    const approved = rows.find((r) => r.id === latest.id && r.decision === 'approve' && r.action_id);
    if (!approved?.action_id) throw conflict('PROOF_NOT_APPROVED', 'quest has no approved proof yet');
    const result = await applyImpact(pool, approved.action_id, new Date(), leaderboard);
    if (!result.entry.created) throw conflict('QUEST_ALREADY_COMPLETED', 'quest is already completed');
    return impactView(result);
  });
}
