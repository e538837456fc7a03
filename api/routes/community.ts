import type { FastifyInstance } from 'fastify';
import { postComment, COMMENT_MAX_CHARS, ownCommentView } from '../../community/comments.ts';
import { communityHealth } from '../../community/health.ts';
import { ADMIN_ONLY } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { caller } from '../plugins/auth.ts';
import { PLAYER } from './proof.ts';
import { bearer, errors, uuid } from './schemas.ts';

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const nullable = (t: string) => ({ type: [t, 'null'] }) as const;
const flags = { type: 'array', items: str } as const;
export const cursorParam = { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' } as const;
export const limitParam = { type: 'string', pattern: '^(100|[1-9][0-9]?)$' } as const;

const commentBody = {
  type: 'object', additionalProperties: false, required: ['body', 'clientKey'],
  properties: {
    body: { type: 'string', minLength: 1, maxLength: COMMENT_MAX_CHARS, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$' },
    clientKey: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$', description: 'idempotency key chosen by the client; a retry with the same key returns the stored comment' },
    zoneId: uuid,
    actionId: uuid,
  },
  oneOf: [{ required: ['zoneId'] }, { required: ['actionId'] }],
} as const;
const ownComment = {
  type: 'object', required: ['id', 'zoneId', 'actionId', 'body', 'status', 'flags', 'sentiment', 'createdAt'],
  properties: { id: str, zoneId: str, actionId: nullable('string'), body: str, status: { type: 'string', enum: ['visible', 'pending', 'hidden'] }, flags, sentiment: num, createdAt: str },
} as const;

const dropCheck = {
  type: ['object', 'null'], required: ['fired', 'mean', 'sd', 'threshold', 'current', 'baselineWeeks'],
  properties: { fired: { type: 'boolean' }, mean: num, sd: num, threshold: num, current: num, baselineWeeks: int },
} as const;
const weekProps = {
  weekStart: str, actions: int, comments: int, witnesses: int, upvotes: int, activity: int, activePlayers: int, sentiment: nullable('number'),
} as const;
const zoneHealth = {
  type: 'object', required: ['zoneId', 'name', 'members', 'week', 'sentimentTrend', 'history', 'warning'],
  properties: {
    zoneId: str, name: str, members: int,
    week: {
      type: 'object', properties: {
        ...weekProps,
        participationRate: { type: ['number', 'null'], description: 'active players (anyone who acted, commented, witnessed or upvoted in the zone) per home-zone member' },
        engagementPerAction: { type: ['number', 'null'], description: '(comments + witnesses + upvotes) per action' },
      },
    },
    sentimentTrend: { type: ['number', 'null'], description: 'least-squares slope of weekly mean sentiment, per week' },
    history: { type: 'array', items: { type: 'object', properties: weekProps } },
    warning: { type: 'object', required: ['raised', 'activity', 'sentiment'], properties: { raised: { type: 'boolean' }, activity: dropCheck, sentiment: dropCheck } },
  },
} as const;

/** Comments with moderation on write (held ones are decided in the admin review queue, api/routes/admin-review.ts); community health. */
export default async function communityRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { db } = deps;

  app.post<{ Body: { body: string; clientKey: string; zoneId?: string; actionId?: string } }>('/api/social/comment', {
    config: { auth: PLAYER },
    bodyLimit: 16 * 1024,
    schema: {
      summary: 'Comment on a zone community or an action (flagged comments are held for review; repeat offenders get 429 REPEAT_OFFENDER)',
      tags: ['social'], security: bearer, body: commentBody,
      response: { 200: ownComment, 201: ownComment, ...errors(400, 401, 403, 404, 409, 429) },
    },
  }, async (req, reply) => {
    const { comment, created } = await postComment(db, { ...req.body, authorId: caller(req).sub });
    return reply.status(created ? 201 : 200).send(ownCommentView(comment));
  });

  app.get<{ Querystring: { weeks?: string; asOf?: string; zoneId?: string } }>('/api/admin/community-health', {
    config: { auth: ADMIN_ONLY },
    schema: {
      summary: "Community health per zone for the last complete week before asOf, with early warnings when activity or sentiment falls below the zone's mean − 2σ of its trailing weeks",
      tags: ['admin'], security: bearer,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { weeks: { type: 'string', pattern: '^([4-9]|1[0-9]|2[0-6])$', description: 'trailing weeks of the normal range (4–26, default 8)' }, asOf: { type: 'string', format: 'date' }, zoneId: uuid },
      },
      response: {
        200: { type: 'object', required: ['asOf', 'weekStart', 'weekEnd', 'baselineWeeks', 'zones'], properties: { asOf: str, weekStart: str, weekEnd: str, baselineWeeks: int, zones: { type: 'array', items: zoneHealth } } },
        ...errors(400, 401, 403, 429),
      },
    },
  }, async (req) => communityHealth(db, {
    asOf: req.query.asOf ? new Date(`${req.query.asOf}T00:00:00Z`) : new Date(),
    baselineWeeks: Number(req.query.weeks ?? 8),
    ...(req.query.zoneId ? { zoneId: req.query.zoneId } : {}),
  }));
}
