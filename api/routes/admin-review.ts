import type { FastifyInstance } from 'fastify';
import { ADMIN_ONLY } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { caller } from '../plugins/auth.ts';
import { impactQueue } from '../proofs/queue.ts';
import { reviewQueue } from '../review/queue.ts';
import { REVIEW_KINDS, type Decision, type ReviewKind } from '../review/types.ts';
import { page } from './proof.ts';
import { bearer, errors, idParams, uuid } from './schemas.ts';

const kind = { type: 'string', enum: [...REVIEW_KINDS] } as const;
const nullableInt = { type: ['integer', 'null'] } as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kind,
    flag: { type: 'string', pattern: '^((hard|soft):)?[a-z_]{1,64}$', description: 'a flag the item carries: `hard:geofence`, or `geofence` for either severity' },
    zoneId: uuid,
    limit: { type: 'string', pattern: '^(100|[1-9][0-9]?)$' },
    offset: { type: 'string', pattern: '^[0-9]{1,9}$' },
  },
} as const;

const proofItem = {
  type: 'object',
  required: ['kind', 'id', 'playerId', 'missionId', 'zoneId', 'submittedAt', 'verifiedAt', 'flags', 'rules', 'scores', 'proof', 'evidence'],
  properties: {
    kind: { type: 'string', enum: ['proof'] }, id: { type: 'string' }, playerId: { type: 'string' }, missionId: { type: 'string' }, zoneId: { type: 'string' },
    submittedAt: { type: 'string' }, verifiedAt: { type: 'string' },
    flags: { type: 'array', items: { type: 'string' } },
    rules: {
      type: 'array',
      items: { type: 'object', required: ['name', 'passed', 'severity', 'detail'], properties: { name: { type: 'string' }, passed: { type: 'boolean' }, severity: { type: 'string' }, detail: { type: 'string' } } },
    },
    scores: {
      type: 'object',
      required: ['authenticity', 'confidence', 'modelScore', 'modelVersion'],
      properties: { authenticity: { type: 'integer' }, confidence: { type: 'number' }, modelScore: { type: ['number', 'null'] }, modelVersion: { type: 'string' } },
    },
    proof: {
      type: 'object',
      required: ['latitude', 'longitude', 'accuracyM', 'capturedAt'],
      properties: { latitude: { type: 'number' }, longitude: { type: 'number' }, accuracyM: { type: 'number' }, capturedAt: { type: 'string' } },
    },
    evidence: {
      type: 'array',
      items: {
        type: 'object',
        required: ['url', 'mediaType', 'sha256', 'width', 'height'],
        properties: { url: { type: 'string', description: 'presigned GET, valid 5 minutes' }, mediaType: { type: 'string' }, sha256: { type: 'string' }, width: nullableInt, height: nullableInt },
      },
    },
  },
} as const;

const nullableString = { type: ['string', 'null'] } as const;
const commentItem = {
  type: 'object',
  required: ['kind', 'id', 'status', 'flags', 'body', 'authorId', 'zoneId', 'actionId', 'sentiment', 'moderationVersion', 'createdAt', 'reviewerId', 'reviewedAt', 'reviewReason'],
  properties: {
    kind: { type: 'string', enum: ['comment'] }, id: { type: 'string' }, status: { type: 'string' }, flags: { type: 'array', items: { type: 'string' } },
    body: { type: 'string' }, authorId: { type: 'string' }, zoneId: { type: 'string' }, actionId: nullableString, sentiment: { type: 'number' },
    moderationVersion: { type: 'integer' }, createdAt: { type: 'string' }, reviewerId: nullableString, reviewedAt: nullableString, reviewReason: nullableString,
  },
} as const;

const decisionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['decision', 'reason'],
  properties: {
    kind: { ...kind, default: 'proof' },
    decision: { type: 'string', enum: ['approve', 'reject'], description: 'a comment: approve shows it, reject hides it' },
    reason: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' },
  },
} as const;

const outcome = {
  type: 'object',
  required: ['kind', 'id', 'decision', 'reason', 'reviewerId', 'decidedAt'],
  properties: { kind, id: { type: 'string' }, decision: { type: 'string' }, reason: { type: 'string' }, reviewerId: { type: 'string' }, decidedAt: { type: 'string' } },
} as const;

/** The human review queue (admins): proofs and comments the machines could not decide, and one audited decision per item. */
export default async function adminReviewRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { pool } = deps;
  const impact = impactQueue(deps);
  const queue = reviewQueue(pool, deps.db, deps.storage, impact);
  app.addHook('onClose', async () => {
    await impact.close();
  });

  app.get<{ Querystring: { kind?: ReviewKind; flag?: string; zoneId?: string; limit?: string; offset?: string } }>('/api/admin/review', {
    config: { auth: ADMIN_ONLY },
    schema: {
      summary: 'Pending review items, oldest first: proofs the verifier sent to review (flags, rule results, scores, short-lived evidence URLs) and comments moderation held back; `kind` filters (admin)',
      tags: ['admin'], security: bearer, querystring: listQuery,
      response: {
        200: { type: 'object', required: ['items', 'total', 'limit', 'offset'], properties: { items: { type: 'array', items: { anyOf: [proofItem, commentItem] } }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' } } },
        ...errors(400, 401, 403, 429),
      },
    },
  }, async (req) => {
    const { limit, offset } = page(req.query);
    const { items, total } = await queue.list({ kind: req.query.kind, flag: req.query.flag, zoneId: req.query.zoneId, limit, offset });
    return { items, total, limit, offset };
  });

  app.post<{ Params: { id: string }; Body: { kind?: ReviewKind; decision: Decision; reason: string } }>('/api/admin/review/:id', {
    config: { auth: ADMIN_ONLY },
    schema: {
      summary: 'Approve or reject a review item (kind proof or comment) with a reason (admin; audited; one decision per item: the same again returns it, a different one answers 409 ALREADY_DECIDED)',
      tags: ['admin'], security: bearer, params: idParams, body: decisionBody,
      response: { 200: outcome, ...errors(400, 401, 403, 404, 409, 429) },
    },
  }, async (req) => {
    const { kind: k = 'proof', decision, reason } = req.body;
    return queue.decide({ kind: k, id: req.params.id, decision, reason: reason.trim(), reviewerId: caller(req).sub, ip: req.ip });
  });
}
