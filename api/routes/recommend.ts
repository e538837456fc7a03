import type { FastifyInstance } from 'fastify';
import { adviseDifficulty, recentAttempts } from '../../recommend/difficulty.ts';
import { CATEGORIES, type Category, type GeoPoint } from '../../recommend/history.ts';
import { suggestMentors } from '../../recommend/partners.ts';
import { profileAt, recommendQuests } from '../../recommend/rank.ts';
import { suggestRewards } from '../../recommend/rewards.ts';
import type { Deps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { routeLimit } from '../plugins/rate-limit.ts';
import { recommenderFor } from '../recommender.ts';
import { RECOMMEND_REWARDS_MAX } from '../rewards/recommended.ts';
import { errors, uuid } from './schemas.ts';

interface Body {
  playerId: string;
  latitude?: number;
  longitude?: number;
  limit?: number;
  interests?: Category[];
}

const internal = [{ internalToken: [] }];
const location = {
  latitude: { type: 'number', minimum: -90, maximum: 90, description: 'where the player is now (with longitude); defaults to the home zone' },
  longitude: { type: 'number', minimum: -180, maximum: 180 },
} as const;
const body = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  additionalProperties: false,
  required: ['playerId'],
  dependencies: { latitude: ['longitude'], longitude: ['latitude'] },
  properties: { playerId: uuid, limit: { type: 'integer', minimum: 1, maximum: 10 }, ...extra },
}) as const;

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const list = (item: Record<string, unknown>, required: string[], extra: Record<string, unknown> = {}) => ({
  type: 'object',
  required: ['playerId', 'version', 'items', ...Object.keys(extra)],
  properties: { playerId: str, version: str, ...extra, items: { type: 'array', items: { type: 'object', required, properties: item } } },
});

const locationOf = (b: Body): GeoPoint | undefined => (b.latitude === undefined || b.longitude === undefined ? undefined : { latitude: b.latitude, longitude: b.longitude });

/**
 * Internal recommendation routes (other services call them with the internal
 * token; players reach quest recommendations through GET /api/quest/list?sort=recommended).
 */
export default async function recommendRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const recommender = recommenderFor(deps);
  const limit = routeLimit(deps.config.RATE_LIMIT_INTERNAL);
  const snapshotFor = async (playerId: string) => {
    const snap = await recommender.snapshot(playerId);
    if (!snap.ctx.profiles.has(playerId)) throw notFound('player');
    return snap;
  };

  app.post<{ Body: Body }>('/recommend/quests', {
    config: { auth: 'internal', rateLimit: limit },
    schema: {
      summary: 'Top quests for a player, each with a reason (hybrid of a per-player choice model, BPR and content features, MMR-diversified; cold start: the population\'s choice model, location, popularity)',
      tags: ['recommend'], security: internal, body: body(location),
      response: {
        200: list(
          { missionId: str, zoneId: str, title: str, type: str, difficulty: int, score: num, reason: str, signals: { type: 'array', items: str } },
          ['missionId', 'zoneId', 'title', 'type', 'difficulty', 'score', 'reason', 'signals'], { coldStart: { type: 'boolean' } }),
        ...errors(400, 401, 404, 429),
      },
    },
  }, async (req) => {
    const snap = await snapshotFor(req.body.playerId);
    const loc = locationOf(req.body);
    const r = recommendQuests(snap.ctx, snap, recommender.scorer, req.body.playerId, { limit: req.body.limit, ...(loc ? { location: loc } : {}) });
    if (!r) throw notFound('player');
    return { playerId: req.body.playerId, version: snap.version, coldStart: r.coldStart, items: r.items };
  });

  app.post<{ Body: Body }>('/recommend/difficulty', {
    config: { auth: 'internal', rateLimit: limit },
    schema: {
      summary: "The next quest difficulty for a player, from their recent successes and failures, within their level's gate",
      tags: ['recommend'], security: internal, body: body(),
      response: {
        200: { type: 'object', required: ['playerId', 'level', 'recommended', 'maxAllowed', 'reason'], properties: { playerId: str, level: int, recommended: int, maxAllowed: int, reason: str } },
        ...errors(400, 401, 404, 429),
      },
    },
  }, async (req) => {
    const snap = await snapshotFor(req.body.playerId);
    const level = snap.ctx.profiles.get(req.body.playerId)?.level ?? 1;
    return { playerId: req.body.playerId, level, ...adviseDifficulty(level, await recentAttempts(deps.db, req.body.playerId)) };
  });

  app.post<{ Body: Body }>('/recommend/rewards', {
    config: { auth: 'internal', rateLimit: limit },
    schema: {
      summary: 'Rewards in stock for a player: what friends and look-alike players redeem, and what they can afford',
      tags: ['recommend'], security: internal, body: body({ limit: { type: 'integer', minimum: 1, maximum: RECOMMEND_REWARDS_MAX } }),
      response: {
        200: list({ rewardId: str, title: str, costHeart: { type: 'string', pattern: '^[0-9]+$' }, affordable: { type: 'boolean' }, score: num, reason: str },
          ['rewardId', 'title', 'costHeart', 'affordable', 'score', 'reason']),
        ...errors(400, 401, 404, 429),
      },
    },
  }, async (req) => {
    const snap = await snapshotFor(req.body.playerId);
    return { playerId: req.body.playerId, version: snap.version, items: await suggestRewards(deps.db, snap.ctx, snap.mf, req.body.playerId, req.body.limit) };
  });

  app.post<{ Body: Body }>('/recommend/partners', {
    config: { auth: 'internal', rateLimit: limit },
    schema: {
      summary: "Mentors for a newcomer: experienced players near the newcomer's zones with shared interests",
      tags: ['recommend'], security: internal,
      body: body({ ...location, interests: { type: 'array', maxItems: CATEGORIES.length, uniqueItems: true, items: { type: 'string', enum: [...CATEGORIES] } } }),
      response: {
        200: list({ playerId: str, level: int, completions: int, distanceKm: { type: ['number', 'null'] }, sharedInterests: { type: 'array', items: str }, score: num, reason: str },
          ['playerId', 'level', 'completions', 'distanceKm', 'sharedInterests', 'score', 'reason']),
        ...errors(400, 401, 404, 429),
      },
    },
  }, async (req) => {
    const snap = await snapshotFor(req.body.playerId);
    const newcomer = profileAt(snap.ctx, req.body.playerId);
    if (!newcomer) throw notFound('player');
    const loc = locationOf(req.body);
    const items = suggestMentors(snap.ctx, newcomer, { ...(loc ? { location: loc } : {}), ...(req.body.interests ? { interests: req.body.interests } : {}), ...(req.body.limit ? { limit: req.body.limit } : {}) });
    return { playerId: req.body.playerId, version: snap.version, items };
  });
}
