import type { FastifyInstance } from 'fastify';
import { CACHE_TTL_S, ReadCache } from '../../lib/read-cache.ts';
import { sendCached } from '../cached-reply.ts';
import type { Deps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { startZoneActivityWatch, zoneActivityKey } from '../zone-activity-watch.ts';
import { decimalString, errors, idParams, missionSchema, missionView, openMissionWhere } from './schemas.ts';

const zone = {
  type: 'object',
  required: ['id', 'name', 'countryCode', 'latitude', 'longitude', 'radiusM', 'multiplier'],
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, countryCode: { type: 'string' }, latitude: { type: 'number' },
    longitude: { type: 'number' }, radiusM: { type: 'integer' }, multiplier: decimalString,
  },
} as const;

/** The public world map: zones and the missions open in them. */
export default async function mapRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { db } = deps;
  // Zone activity: 30 min in the shared cache, dropped as soon as the zone's actions change.
  const zoneViews = new ReadCache(deps.redis, deps.config.REDIS_PREFIX);
  const watch = startZoneActivityWatch(deps.config.DATABASE_URL, zoneViews, (err) => app.log.warn({ err }, 'zone activity watch'));
  app.addHook('onClose', async () => watch.close());

  app.get<{ Querystring: { countryCode?: string } }>('/api/map/zones', {
    config: { auth: 'public' },
    schema: {
      summary: 'Zones, optionally of one country',
      tags: ['map'],
      querystring: { type: 'object', additionalProperties: false, properties: { countryCode: { type: 'string', pattern: '^[A-Z]{2}$' } } },
      response: { 200: { type: 'object', required: ['zones'], properties: { zones: { type: 'array', items: zone } } }, ...errors(400, 429) },
    },
  }, async (req) => {
    const rows = await db.zone.findMany({
      where: req.query.countryCode ? { countryCode: req.query.countryCode } : {},
      orderBy: [{ countryCode: 'asc' }, { name: 'asc' }],
      take: 1000,
    });
    return { zones: rows.map(({ createdAt: _c, ...z }) => ({ ...z, multiplier: z.multiplier.toFixed() })) };
  });

  app.get<{ Params: { id: string } }>('/api/map/zones/:id/missions', {
    config: { auth: 'public' },
    schema: {
      summary: 'Missions open now in a zone',
      tags: ['map'],
      params: idParams,
      response: { 200: { type: 'object', required: ['missions'], properties: { missions: { type: 'array', items: missionSchema } } }, ...errors(400, 404, 429) },
    },
  }, async (req) => {
    if (!(await db.zone.findUnique({ where: { id: req.params.id }, select: { id: true } }))) throw notFound('zone');
    const rows = await db.mission.findMany({ where: { zoneId: req.params.id, ...openMissionWhere(new Date()) }, orderBy: { createdAt: 'asc' }, take: 500 });
    return { missions: rows.map(missionView) };
  });

  const activity = {
    type: 'object',
    required: ['actions', 'approved', 'players', 'impactCredits', 'recent'],
    properties: {
      actions: { type: 'integer' }, approved: { type: 'integer' }, players: { type: 'integer' }, impactCredits: decimalString,
      recent: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'missionId', 'status', 'submittedAt'],
          properties: { id: { type: 'string' }, missionId: { type: 'string' }, status: { type: 'string' }, submittedAt: { type: 'string' } },
        },
      },
    },
  } as const;

  app.get<{ Params: { id: string } }>('/api/map/zones/:id/activity', {
    config: { auth: 'public' },
    schema: {
      summary: 'What happened in a zone: proofs submitted and approved, players, impact credits, the latest proofs (no locations)',
      tags: ['map'],
      params: idParams,
      response: { 200: activity, ...errors(400, 404, 429) },
    },
  }, async (req, reply) => {
    if (!(await db.zone.findUnique({ where: { id: req.params.id }, select: { id: true } }))) throw notFound('zone');
    const view = () => zoneActivity(req.params.id);
    // Without the watch (connecting, or Postgres gone) changes would go unseen: compute every time.
    return watch.live ? sendCached(reply, zoneViews, zoneActivityKey(zoneViews, req.params.id), CACHE_TTL_S.zoneState, view) : view();
  });

  async function zoneActivity(zoneId: string) {
    const [totals] = await db.$queryRaw<{ actions: bigint; approved: bigint; players: bigint; credits: string }[]>`
      SELECT count(*) AS actions, count(*) FILTER (WHERE a.status = 'approved') AS approved, count(DISTINCT a.player_id) AS players,
             coalesce((SELECT sum(le.impact_credits) FROM ledger_entries le JOIN actions a2 ON a2.id = le.action_id
                        JOIN missions m2 ON m2.id = a2.mission_id WHERE m2.zone_id = ${zoneId}::uuid), 0)::text AS credits
        FROM actions a JOIN missions m ON m.id = a.mission_id WHERE m.zone_id = ${zoneId}::uuid`;
    const recent = await db.action.findMany({
      where: { mission: { zoneId } },
      orderBy: { submittedAt: 'desc' },
      take: 20,
      select: { id: true, missionId: true, status: true, submittedAt: true },
    });
    return {
      actions: Number(totals?.actions ?? 0),
      approved: Number(totals?.approved ?? 0),
      players: Number(totals?.players ?? 0),
      impactCredits: totals?.credits ?? '0',
      recent: recent.map((r) => ({ ...r, submittedAt: r.submittedAt.toISOString() })),
    };
  }
}
