import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.ts';
import { ApiError, conflict, notFound } from '../errors.ts';
import { caller } from '../plugins/auth.ts';
import { listZoneComments } from '../../community/comments.ts';
import { cursorParam, limitParam } from './community.ts';
import { PLAYER } from './proof.ts';
import { bearer, errors, uuid } from './schemas.ts';

const actionBody = { type: 'object', additionalProperties: false, required: ['actionId'], properties: { actionId: uuid } } as const;
const comment = {
  type: 'object', required: ['id', 'zoneId', 'actionId', 'authorId', 'authorName', 'body', 'sentiment', 'createdAt'],
  properties: {
    id: { type: 'string' }, zoneId: { type: 'string' }, actionId: { type: ['string', 'null'] }, authorId: { type: 'string' },
    authorName: { type: ['string', 'null'] }, body: { type: 'string' }, sentiment: { type: 'number' }, createdAt: { type: 'string' },
  },
} as const;
const counts = {
  type: 'object',
  required: ['actionId', 'witnesses', 'upvotes'],
  properties: { actionId: { type: 'string' }, witnesses: { type: 'integer' }, upvotes: { type: 'integer' } },
} as const;

/** Witnesses and upvotes from the community of the action's zone (one of each per player and action); the community page with its comments. */
export default async function socialRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { db } = deps;

  async function counted(actionId: string) {
    const [witnesses, upvotes] = await Promise.all([db.witness.count({ where: { actionId } }), db.upvote.count({ where: { actionId } })]);
    return { actionId, witnesses, upvotes };
  }

  /** Throws unless `playerId` may vouch for `actionId`: not theirs, and a member of the mission's zone community. */
  async function checkVoucher(playerId: string, actionId: string, noun: string) {
    const action = await db.action.findUnique({ where: { id: actionId }, select: { playerId: true, mission: { select: { zoneId: true } } } });
    if (!action) throw notFound('action');
    if (action.playerId === playerId) throw new ApiError(403, noun === 'witness' ? 'CANNOT_WITNESS_OWN' : 'CANNOT_UPVOTE_OWN', `you cannot ${noun} your own action`);
    const zoneId = action.mission.zoneId;
    const [home, local] = await Promise.all([
      db.player.count({ where: { id: playerId, homeZoneId: zoneId } }),
      db.action.count({ where: { playerId, mission: { zoneId } } }),
    ]);
    if (home === 0 && local === 0) throw new ApiError(403, 'NOT_IN_COMMUNITY', "only the action's zone community may do this");
  }

  const duplicate = (err: unknown) => (err as { code?: string }).code === 'P2002';

  app.post<{ Body: { actionId: string } }>('/api/social/witness', {
    config: { auth: PLAYER },
    schema: { summary: 'Witness an action in your community', tags: ['social'], security: bearer, body: actionBody, response: { 201: counts, ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req, reply) => {
    const me = caller(req);
    await checkVoucher(me.sub, req.body.actionId, 'witness');
    try {
      await db.witness.create({ data: { actionId: req.body.actionId, witnessId: me.sub } });
    } catch (err) {
      if (duplicate(err)) throw conflict('ALREADY_WITNESSED', 'you already witnessed this action');
      throw err;
    }
    return reply.status(201).send(await counted(req.body.actionId));
  });

  app.post<{ Body: { actionId: string } }>('/api/social/upvote', {
    config: { auth: PLAYER },
    schema: { summary: 'Upvote an action in your community', tags: ['social'], security: bearer, body: actionBody, response: { 201: counts, ...errors(400, 401, 403, 404, 409, 429) } },
  }, async (req, reply) => {
    const me = caller(req);
    await checkVoucher(me.sub, req.body.actionId, 'upvote');
    try {
      await db.upvote.create({ data: { actionId: req.body.actionId, playerId: me.sub } });
    } catch (err) {
      if (duplicate(err)) throw conflict('ALREADY_UPVOTED', 'you already upvoted this action');
      throw err;
    }
    return reply.status(201).send(await counted(req.body.actionId));
  });

  app.get<{ Params: { zoneId: string }; Querystring: { limit?: string; cursor?: string } }>('/api/social/community/:zoneId', {
    config: { auth: 'public' },
    schema: {
      summary: "A zone's community: members, recent actions with their witnesses and upvotes, and a page of visible comments (newest first; pass nextCursor as cursor)", tags: ['social'],
      params: { type: 'object', required: ['zoneId'], additionalProperties: false, properties: { zoneId: uuid } },
      querystring: { type: 'object', additionalProperties: false, properties: { limit: limitParam, cursor: cursorParam } },
      response: {
        200: {
          type: 'object', required: ['zoneId', 'name', 'members', 'actions', 'comments', 'nextCursor'],
          properties: {
            zoneId: { type: 'string' }, name: { type: 'string' }, members: { type: 'integer' },
            comments: { type: 'array', items: comment }, nextCursor: { type: ['string', 'null'] },
            actions: { type: 'array', items: { type: 'object', required: ['actionId', 'missionId', 'missionTitle', 'status', 'submittedAt', 'witnesses', 'upvotes'], properties: { actionId: { type: 'string' }, missionId: { type: 'string' }, missionTitle: { type: 'string' }, status: { type: 'string' }, submittedAt: { type: 'string' }, witnesses: { type: 'integer' }, upvotes: { type: 'integer' } } } },
          },
        },
        ...errors(400, 404, 429),
      },
    },
  }, async (req) => {
    const zone = await db.zone.findUnique({ where: { id: req.params.zoneId }, select: { id: true, name: true } });
    if (!zone) throw notFound('zone');
    const [members, actions, page] = await Promise.all([
      db.player.count({ where: { homeZoneId: zone.id } }),
      db.action.findMany({
        where: { mission: { zoneId: zone.id } },
        orderBy: { submittedAt: 'desc' },
        take: 50,
        select: { id: true, missionId: true, status: true, submittedAt: true, mission: { select: { title: true } }, _count: { select: { witnesses: true, upvotes: true } } },
      }),
      listZoneComments(db, zone.id, { limit: Number(req.query.limit ?? 20), ...(req.query.cursor ? { cursor: req.query.cursor } : {}) }),
    ]);
    return {
      zoneId: zone.id, name: zone.name, members,
      actions: actions.map((a) => ({ actionId: a.id, missionId: a.missionId, missionTitle: a.mission.title, status: a.status, submittedAt: a.submittedAt.toISOString(), witnesses: a._count.witnesses, upvotes: a._count.upvotes })),
      ...page,
    };
  });
}
