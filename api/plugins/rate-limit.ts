import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Deps } from '../deps.ts';
import { isAdminRoute } from '../auth/roles.ts';
import { ApiError } from '../errors.ts';

/**
 * Per-minute limits on the shared Redis, so every API instance counts together:
 * RATE_LIMIT_USER per signed-in player, RATE_LIMIT_ANON per IP when anonymous,
 * RATE_LIMIT_ADMIN per admin on admin-only routes. Only `/api/` is limited globally; routes
 * elsewhere opt in with `config.rateLimit: routeLimit(max)`.
 */
export default fp(async function rateLimits(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { config } = deps;
  const classify = (req: FastifyRequest) => {
    if (!req.user) return { key: `ip:${req.ip}`, max: config.RATE_LIMIT_ANON };
    if (isAdminRoute(req.routeOptions.config.auth)) return { key: `admin:${req.user.sub}`, max: config.RATE_LIMIT_ADMIN };
    return { key: `user:${req.user.sub}`, max: config.RATE_LIMIT_USER };
  };
  await app.register(rateLimit, {
    global: true,
    redis: deps.redis,
    nameSpace: `${config.REDIS_PREFIX}rl:`,
    timeWindow: 60_000,
    skipOnError: false,
    allowList: (req) => !req.url.startsWith('/api/'),
    keyGenerator: (req) => classify(req).key,
    max: (req) => classify(req).max,
    errorResponseBuilder: (_req, ctx) =>
      new ApiError(ctx.statusCode, 'RATE_LIMITED', `rate limit exceeded, retry in ${ctx.after}`, { limit: ctx.max, windowSeconds: 60 }),
  });
}, { name: 'oneheart-rate-limit', dependencies: ['oneheart-auth'] });

/**
 * Route config for a limited route outside `/api/` (internal services): `max` calls a minute per
 * caller (signed-in player, else IP), counted per route on the same Redis with the same 429 body.
 */
export const routeLimit = (max: number) => ({ max, allowList: () => false });
