import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.ts';
import { notFound } from '../errors.ts';
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
}
