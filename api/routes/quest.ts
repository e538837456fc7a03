import type { FastifyInstance } from 'fastify';
import { recommendQuests } from '../../recommend/rank.ts';
import type { Deps } from '../deps.ts';
import { ADMIN_ONLY, SIGNED_IN } from '../auth/roles.ts';
import { ApiError, conflict, notFound } from '../errors.ts';
import { caller } from '../plugins/auth.ts';
import { recommenderFor } from '../recommender.ts';
import { bearer, errors, idParams, MISSION_TYPES, missionSchema, missionView, openMissionWhere, uuid } from './schemas.ts';

interface CreateBody {
  zoneId: string; title: string; description: string; type: (typeof MISSION_TYPES)[number]; difficulty?: number;
  baseXp: number; baseHeart: string; durationMinutes: number; latitude: number; longitude: number; radiusM?: number;
  startsAt?: string; endsAt?: string;
}

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['zoneId', 'title', 'description', 'type', 'baseXp', 'baseHeart', 'durationMinutes', 'latitude', 'longitude'],
  properties: {
    zoneId: uuid,
    title: { type: 'string', minLength: 1, maxLength: 120 },
    description: { type: 'string', minLength: 1, maxLength: 4000 },
    type: { type: 'string', enum: [...MISSION_TYPES] },
    difficulty: { type: 'integer', minimum: 1, maximum: 5 },
    baseXp: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    baseHeart: { type: 'string', pattern: '^(0|[1-9][0-9]{0,77})$', description: 'Heart in wei (decimal string)' },
    durationMinutes: { type: 'integer', minimum: 1, maximum: 10_080 },
    latitude: { type: 'number', minimum: -90, maximum: 90 },
    longitude: { type: 'number', minimum: -180, maximum: 180 },
    radiusM: { type: 'integer', minimum: 1, maximum: 100_000 },
    startsAt: { type: 'string', format: 'date-time' },
    endsAt: { type: 'string', format: 'date-time' },
  },
} as const;

const assignment = {
  type: 'object',
  required: ['id', 'missionId', 'playerId', 'status', 'startedAt'],
  properties: { id: { type: 'string' }, missionId: { type: 'string' }, playerId: { type: 'string' }, status: { type: 'string' }, startedAt: { type: 'string', format: 'date-time' } },
} as const;

/**
 * Missions open at $1 (openMissionWhere in SQL), oldest first, as missionView shows them. On node-postgres with
 * named statements (planned once per connection): the busiest read of the list spares Prisma's per-query work.
 */
const OPEN_MISSIONS_SQL = (inZone: boolean) => `
  SELECT id::text, zone_id::text AS "zoneId", title, description, type::text, difficulty, base_xp AS "baseXp", base_heart::text AS "baseHeart",
         duration_minutes AS "durationMinutes", latitude, longitude, radius_m AS "radiusM", starts_at AS "startsAt", ends_at AS "endsAt", active
    FROM missions
   WHERE active AND (starts_at IS NULL OR starts_at <= $1) AND (ends_at IS NULL OR ends_at > $1)${inZone ? ' AND zone_id = $2' : ''}
   ORDER BY created_at LIMIT 500`;

/** Quests: admins publish missions; players list and start them. */
export default async function questRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { db, pool } = deps;
  app.post<{ Body: CreateBody }>('/api/quest/create', {
    config: { auth: ADMIN_ONLY },
    schema: { summary: 'Publish a mission (admin)', tags: ['quest'], security: bearer, body: createBody, response: { 201: missionSchema, ...errors(400, 401, 403, 429) } },
  }, async (req, reply) => {
    const b = req.body;
    if (b.startsAt && b.endsAt && Date.parse(b.endsAt) <= Date.parse(b.startsAt)) throw new ApiError(400, 'VALIDATION_FAILED', 'endsAt must be after startsAt');
    if (!(await db.zone.findUnique({ where: { id: b.zoneId }, select: { id: true } }))) throw new ApiError(400, 'UNKNOWN_ZONE', 'zone does not exist');
    const mission = await db.mission.create({
      data: {
        ...b,
        ...(b.startsAt ? { startsAt: new Date(b.startsAt) } : {}),
        ...(b.endsAt ? { endsAt: new Date(b.endsAt) } : {}),
      },
    });
    return reply.status(201).send(missionView(mission));
  });

  const recommendedMission = {
    ...missionSchema,
    properties: { ...missionSchema.properties, score: { type: 'number' }, reason: { type: 'string', description: 'why it is recommended (sort=recommended only)' } },
  } as const;

  app.get<{ Querystring: { zoneId?: string; sort?: 'created' | 'recommended' } }>('/api/quest/list', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: 'Missions open now; sort=recommended gives the caller\'s top 10 with a reason each',
      tags: ['quest'],
      security: bearer,
      querystring: { type: 'object', additionalProperties: false, properties: { zoneId: uuid, sort: { type: 'string', enum: ['created', 'recommended'], default: 'created' } } },
      response: { 200: { type: 'object', required: ['quests'], properties: { quests: { type: 'array', items: recommendedMission } } }, ...errors(400, 401, 429) },
    },
  }, async (req) => {
    const now = new Date();
    const zoneId = req.query.zoneId;
    if (req.query.sort === 'recommended') {
      const where = { ...openMissionWhere(now), ...(zoneId ? { zoneId } : {}) };
      const recommender = recommenderFor(deps);
      const me = caller(req).sub;
      const snap = await recommender.snapshot(me);
      const recs = recommendQuests(snap.ctx, snap, recommender.scorer, me)?.items ?? [];
      const picked = req.query.zoneId ? recs.filter((r) => r.zoneId === req.query.zoneId) : recs;
      const rows = await db.mission.findMany({ where: { ...where, id: { in: picked.map((r) => r.missionId) } } });
      const byId = new Map(rows.map((m) => [m.id, m]));
      return {
        quests: picked.flatMap((r) => {
          const m = byId.get(r.missionId);
          return m ? [{ ...missionView(m), score: r.score, reason: r.reason }] : [];
        }),
      };
    }
    const { rows } = await pool.query(zoneId
      ? { name: 'quest-list-zone', text: OPEN_MISSIONS_SQL(true), values: [now, zoneId] }
      : { name: 'quest-list', text: OPEN_MISSIONS_SQL(false), values: [now] });
    return { quests: rows };
  });

  app.post<{ Params: { id: string } }>('/api/quest/:id/start', {
    config: { auth: SIGNED_IN },
    schema: { summary: 'Start a quest; one active start per mission and player', tags: ['quest'], security: bearer, params: idParams, response: { 201: assignment, ...errors(400, 401, 404, 409, 429) } },
  }, async (req, reply) => {
    const me = caller(req);
    const missionId = req.params.id;
    const mission = await db.mission.findFirst({ where: { id: missionId }, select: { id: true } });
    if (!mission) throw notFound('quest');
    const open = await db.mission.findFirst({ where: { id: missionId, ...openMissionWhere(new Date()) }, select: { id: true } });
    if (!open) throw conflict('QUEST_NOT_AVAILABLE', 'quest is not open');
    const started = await db.$transaction(async (tx) => {
      // Starts of one player serialize on their row, so the check below cannot race.
      await tx.$queryRaw`SELECT id FROM players WHERE id = ${me.sub}::uuid FOR UPDATE`;
      const active = await tx.questAssignment.findFirst({ where: { playerId: me.sub, missionId, status: 'active' }, select: { id: true } });
      if (active) throw conflict('QUEST_ALREADY_ACTIVE', 'quest already started');
      return tx.questAssignment.create({ data: { playerId: me.sub, missionId } });
    });
    return reply.status(201).send(started);
  });

  const attempt = {
    type: 'object',
    required: ['id', 'status', 'startedAt', 'completedAt', 'proofs'],
    properties: {
      id: { type: 'string' }, status: { type: 'string' }, startedAt: { type: 'string', format: 'date-time' },
      completedAt: { type: ['string', 'null'], format: 'date-time' },
      proofs: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'status', 'submittedAt'],
          properties: { id: { type: 'string' }, status: { type: 'string' }, submittedAt: { type: 'string', format: 'date-time' } },
        },
      },
    },
  } as const;

  app.get<{ Params: { id: string } }>('/api/quest/:id/history', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: "The caller's attempts at a quest, newest first, with the status of each proof",
      tags: ['quest'],
      security: bearer,
      params: idParams,
      response: { 200: { type: 'object', required: ['attempts'], properties: { attempts: { type: 'array', items: attempt } } }, ...errors(400, 401, 404, 429) },
    },
  }, async (req) => {
    const me = caller(req);
    if (!(await db.mission.findUnique({ where: { id: req.params.id }, select: { id: true } }))) throw notFound('quest');
    const rows = await db.questAssignment.findMany({
      where: { playerId: me.sub, missionId: req.params.id },
      orderBy: { startedAt: 'desc' },
      take: 100,
      include: { actions: { select: { id: true, status: true, submittedAt: true }, orderBy: { submittedAt: 'asc' } } },
    });
    return {
      attempts: rows.map((r) => ({
        id: r.id,
        status: r.status,
        startedAt: r.startedAt.toISOString(),
        completedAt: r.completedAt?.toISOString() ?? null,
        proofs: r.actions.map((a) => ({ id: a.id, status: a.status, submittedAt: a.submittedAt.toISOString() })),
      })),
    };
  });
}
