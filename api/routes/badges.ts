import type { FastifyInstance } from 'fastify';
import { BADGE_RULES } from '../../community/badges/rules.ts';
import { SIGNED_IN } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { caller } from '../plugins/auth.ts';
import { bearer, errors } from './schemas.ts';

const str = { type: 'string' } as const;
const badge = {
  type: 'object', required: ['code', 'name', 'description', 'awardedAt'],
  properties: { code: str, name: str, description: str, awardedAt: { type: ['string', 'null'], format: 'date-time' } },
} as const;

/** The caller's badges beside every badge of the rules in force. */
export default async function badgeRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  app.get('/api/player/badges', {
    config: { auth: SIGNED_IN },
    schema: {
      summary: 'Your badges (earned ones with awardedAt, the rest null) under the badge rules in force', tags: ['player'], security: bearer,
      querystring: { type: 'object', additionalProperties: false, properties: {} },
      response: { 200: { type: 'object', required: ['rulesVersion', 'earned', 'badges'], properties: { rulesVersion: { type: 'integer' }, earned: { type: 'integer' }, badges: { type: 'array', items: badge } } }, ...errors(400, 401, 429) },
    },
  }, async (req) => {
    const held = await deps.db.playerBadge.findMany({ where: { playerId: caller(req).sub }, include: { badge: true }, orderBy: { awardedAt: 'asc' } });
    const awarded = new Map(held.map((h) => [h.badge.code, h]));
    const current = new Set(BADGE_RULES.badges.map((b) => b.code));
    // Badges of earlier rule versions stay earned even when a later version drops them.
    const retired = held.filter((h) => !current.has(h.badge.code)).map((h) => ({ code: h.badge.code, name: h.badge.name, description: h.badge.description, awardedAt: h.awardedAt.toISOString() }));
    const badges = [
      ...BADGE_RULES.badges.map((b) => ({ code: b.code, name: b.name, description: b.description, awardedAt: awarded.get(b.code)?.awardedAt.toISOString() ?? null })),
      ...retired,
    ];
    return { rulesVersion: BADGE_RULES.version, earned: held.length, badges };
  });
}
