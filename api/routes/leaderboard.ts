import type { FastifyInstance } from 'fastify';
import { CACHE_TTL_S } from '../../lib/read-cache.ts';
import { sendCached } from '../cached-reply.ts';
import type { Deps } from '../deps.ts';
import { LEADERBOARD_PERIODS, LEADERBOARD_SIZE, Leaderboard, periodBucket, type LeaderboardPeriod } from '../impact/leaderboard.ts';
import { errors, uuid } from './schemas.ts';

/**
 * Public leaderboards: XP earned today / this ISO week (UTC), overall or in one zone.
 * A rendered board is cached for an hour and dropped whenever a new ledger entry changes it.
 */
export default async function leaderboardRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const board = new Leaderboard(deps.redis, deps.config.REDIS_PREFIX);

  app.get<{ Querystring: { period?: LeaderboardPeriod; zoneId?: string } }>('/api/leaderboard', {
    config: { auth: 'public' },
    schema: {
      summary: `Top ${LEADERBOARD_SIZE} players by XP earned in the current UTC day or ISO week, optionally in one zone`, tags: ['leaderboard'],
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { period: { type: 'string', enum: [...LEADERBOARD_PERIODS], default: 'weekly' }, zoneId: uuid },
      },
      response: {
        200: {
          type: 'object', required: ['period', 'bucket', 'zoneId', 'entries'],
          properties: {
            period: { type: 'string' }, bucket: { type: 'string' }, zoneId: { type: ['string', 'null'] },
            entries: {
              type: 'array',
              items: {
                type: 'object', required: ['rank', 'playerId', 'displayName', 'score'],
                properties: { rank: { type: 'integer' }, playerId: { type: 'string' }, displayName: { type: ['string', 'null'] }, score: { type: 'number' } },
              },
            },
          },
        },
        ...errors(400, 429),
      },
    },
  }, async (req, reply) => {
    const period = req.query.period ?? 'weekly';
    const zoneId = req.query.zoneId ?? null;
    const now = new Date();
    return sendCached(reply, board.views, board.viewKey(period, now, zoneId), CACHE_TTL_S.leaderboard, async () => {
      const top = await board.top(period, now, zoneId);
      const players = top.length
        ? await deps.db.player.findMany({ where: { id: { in: top.map((p) => p.playerId) } }, select: { id: true, displayName: true } })
        : [];
      const names = new Map(players.map((p) => [p.id, p.displayName]));
      return {
        period, bucket: periodBucket(period, now), zoneId,
        entries: top.map((p, i) => ({ rank: i + 1, playerId: p.playerId, displayName: names.get(p.playerId) ?? null, score: p.score })),
      };
    });
  });
}
