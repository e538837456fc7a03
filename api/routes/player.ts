import type { FastifyInstance } from 'fastify';
import { Prisma } from '../../lib/db.ts';
import { CACHE_TTL_S, ReadCache } from '../../lib/read-cache.ts';
import { sendCached } from '../cached-reply.ts';
import { SIGNED_IN } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { requireSelfOr } from '../plugins/auth.ts';
import { bearer, errors, idParams, uuid } from './schemas.ts';

const nullableString = { type: ['string', 'null'] } as const;
const player = {
  type: 'object',
  required: ['id', 'address', 'did', 'displayName', 'role', 'homeZoneId', 'createdAt'],
  properties: {
    id: { type: 'string' }, address: { type: 'string' }, did: { type: 'string' }, displayName: nullableString,
    role: { type: 'string' }, homeZoneId: nullableString, createdAt: { type: 'string', format: 'date-time' },
  },
} as const;
const decimal = { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$' } as const;
const inventory = {
  type: 'object',
  required: ['playerId', 'level', 'xp', 'heartEarned', 'heartClaimed', 'impactCredits', 'badges', 'activeQuests', 'completedMissions'],
  properties: {
    playerId: { type: 'string' }, level: { type: 'integer' }, xp: { type: 'integer' },
    heartEarned: decimal, heartClaimed: decimal, impactCredits: decimal,
    badges: { type: 'array', items: { type: 'object', required: ['code', 'name', 'awardedAt'], properties: { code: { type: 'string' }, name: { type: 'string' }, awardedAt: { type: 'string', format: 'date-time' } } } },
    activeQuests: { type: 'array', items: { type: 'object', required: ['assignmentId', 'missionId', 'title', 'startedAt'], properties: { assignmentId: { type: 'string' }, missionId: { type: 'string' }, title: { type: 'string' }, startedAt: { type: 'string', format: 'date-time' } } } },
    completedMissions: { type: 'array', items: { type: 'object', required: ['missionId', 'title', 'completedAt'], properties: { missionId: { type: 'string' }, title: { type: 'string' }, completedAt: { type: ['string', 'null'], format: 'date-time' } } } },
  },
} as const;
const select = { id: true, address: true, did: true, displayName: true, role: true, homeZoneId: true, createdAt: true } as const;

type Params = { id: string };

/** `select` in SQL, for the profile read (a named statement, planned once per connection; spares Prisma's per-query work). */
const PROFILE_SQL = `SELECT id::text, address, did, display_name AS "displayName", role::text, home_zone_id::text AS "homeZoneId", created_at AS "createdAt"
  FROM players WHERE id = $1`;

/** The cache key of a player's profile view (also dropped by admin role changes). */
export const profileKey = (cache: ReadCache, playerId: string) => cache.key('player', playerId);

/** A player's profile and inventory: the player themself, or an admin (auditors may read). */
export default async function playerRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { db } = deps;
  const profiles = new ReadCache(deps.redis, deps.config.REDIS_PREFIX); // 5 min, dropped by PATCH and role changes
  const { pool } = deps;
  app.get<{ Params: Params }>('/api/player/:id', {
    config: { auth: SIGNED_IN },
    schema: { summary: 'A player profile', tags: ['player'], security: bearer, params: idParams, response: { 200: player, ...errors(401, 403, 404, 429) } },
  }, async (req, reply) => {
    requireSelfOr(req, req.params.id, ['admin', 'auditor']);
    return sendCached(reply, profiles, profileKey(profiles, req.params.id), CACHE_TTL_S.playerStats, async () => {
      const [found] = (await pool.query({ name: 'player-profile', text: PROFILE_SQL, values: [req.params.id] })).rows;
      if (!found) throw notFound('player');
      return found;
    });
  });

  app.patch<{ Params: Params; Body: { displayName?: string | null; homeZoneId?: string | null } }>('/api/player/:id', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: 'Update display name or home zone',
      tags: ['player'],
      security: bearer,
      params: idParams,
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          displayName: { type: ['string', 'null'], minLength: 1, maxLength: 40, pattern: '^[^\\u0000-\\u001f\\u007f]*\\S[^\\u0000-\\u001f\\u007f]*$' },
          homeZoneId: { anyOf: [uuid, { type: 'null' }] },
        },
      },
      response: { 200: player, ...errors(400, 401, 403, 404, 429) },
    },
  }, async (req) => {
    requireSelfOr(req, req.params.id);
    const { displayName, homeZoneId } = req.body;
    if (homeZoneId && !(await db.zone.findUnique({ where: { id: homeZoneId }, select: { id: true } }))) {
      throw new ApiError(400, 'UNKNOWN_ZONE', 'home zone does not exist');
    }
    try {
      const updated = await db.player.update({
        where: { id: req.params.id },
        data: { ...(displayName === undefined ? {} : { displayName: displayName?.trim() ?? null }), ...(homeZoneId === undefined ? {} : { homeZoneId }) },
        select,
      });
      await profiles.invalidate(profileKey(profiles, req.params.id));
      return updated;
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2025') throw notFound('player');
      throw err;
    }
  });

  app.get<{ Params: Params }>('/api/player/:id/inventory', {
    config: { auth: SIGNED_IN },
    schema: { summary: 'Level, XP, Heart, impact credits, badges, quests', tags: ['player'], security: bearer, params: idParams, response: { 200: inventory, ...errors(401, 403, 404, 429) } },
  }, async (req) => {
    requireSelfOr(req, req.params.id, ['admin', 'auditor']);
    const p = await db.player.findUnique({
      where: { id: req.params.id },
      include: {
        badges: { include: { badge: true }, orderBy: { awardedAt: 'asc' } },
        assignments: { where: { status: { in: ['active', 'completed'] } }, include: { mission: { select: { title: true } } }, orderBy: { startedAt: 'asc' } },
      },
    });
    if (!p) throw notFound('player');
    return {
      playerId: p.id,
      level: p.level,
      xp: Number(p.xp),
      heartEarned: p.heartEarned.toFixed(),
      heartClaimed: p.heartClaimed.toFixed(),
      impactCredits: p.impactCredits.toFixed(),
      badges: p.badges.map((b) => ({ code: b.badge.code, name: b.badge.name, awardedAt: b.awardedAt })),
      activeQuests: p.assignments.filter((a) => a.status === 'active').map((a) => ({ assignmentId: a.id, missionId: a.missionId, title: a.mission.title, startedAt: a.startedAt })),
      completedMissions: p.assignments.filter((a) => a.status === 'completed').map((a) => ({ missionId: a.missionId, title: a.mission.title, completedAt: a.completedAt })),
    };
  });
}
