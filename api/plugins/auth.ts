import { createHash, timingSafeEqual } from 'node:crypto';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../lib/config.ts';
import type { AccessCheck } from '../admin/access.ts';
import type { AccessClaims, Role, RouteAuth } from '../auth/roles.ts';
import { ApiError, forbidden } from '../errors.ts';

export const ACCESS_TOKEN_TTL_S = 15 * 60;

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims;
    user: AccessClaims;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every `/api/` route must declare it. */
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    authError?: ApiError;
  }
}

const unauthenticated = (message = 'sign in first') => new ApiError(401, 'UNAUTHENTICATED', message);
const BEARER = /^Bearer ([^ ]+)$/i;
const digest = (v: string) => createHash('sha256').update(v).digest();

/**
 * Access tokens (HS256 only, 15 min) and per-route authorization.
 * onRequest reads a bearer token when present (so rate limits can key on the
 * player) and asks `access` whether the player may still use it (suspension,
 * role change); preValidation enforces `config.auth` before the body is looked at.
 */
export default fp(async function auth(app: FastifyInstance, { config, access }: { config: Config; access?: AccessCheck }) {
  await app.register(fastifyJwt, {
    secret: config.JWT_SECRET,
    sign: { algorithm: 'HS256', expiresIn: ACCESS_TOKEN_TTL_S },
    verify: { algorithms: ['HS256'], cache: 10_000 }, // verified tokens are remembered until they expire (fast-jwt LRU)
  });

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    if (route.config?.auth === undefined) throw new Error(`${String(route.method)} ${route.url}: route declares no config.auth`);
  });

  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (header === undefined) return;
    let claims: AccessClaims & { iat?: number };
    try {
      // app.jwt.verify: the plugin's one verifier, synchronous (req.jwtVerify re-decodes and re-merges options per request)
      const token = BEARER.exec(header)?.[1];
      if (!token) throw new Error('not a bearer token');
      claims = { ...app.jwt.verify<AccessClaims & { iat?: number }>(token) }; // a copy: the verifier's cache keeps the original
      if (typeof claims.sub !== 'string' || typeof claims.role !== 'string') throw new Error('bad claims');
    } catch {
      req.user = null as unknown as AccessClaims;
      req.authError = unauthenticated('invalid or expired access token');
      return;
    }
    req.user = claims;
    const refused = access ? await access(claims) : null;
    if (refused) {
      req.user = null as unknown as AccessClaims;
      req.authError = refused;
    }
  });

  const internalToken = digest(config.INTERNAL_API_TOKEN);
  app.addHook('preValidation', async (req) => {
    const allowed = req.routeOptions.config.auth;
    if (allowed === undefined || allowed === 'public') return;
    if (allowed === 'internal') {
      const given = req.headers['x-internal-token'];
      if (typeof given !== 'string' || !timingSafeEqual(digest(given), internalToken)) throw unauthenticated('internal route: missing or wrong x-internal-token');
      return;
    }
    if (!req.user) throw req.authError ?? unauthenticated();
    if (!allowed.includes(req.user.role)) throw forbidden(`requires role ${allowed.join(' or ')}`);
  });
}, { name: 'oneheart-auth' });

/** The signed-in caller (only on routes whose `config.auth` lists roles). */
export function caller(req: { user: AccessClaims | null | undefined }): AccessClaims {
  if (!req.user) throw unauthenticated();
  return req.user;
}

/** Self, or one of `roles` (default admin). */
export function requireSelfOr(req: { user: AccessClaims | null | undefined }, playerId: string, roles: readonly Role[] = ['admin']) {
  const me = caller(req);
  if (me.sub !== playerId && !roles.includes(me.role)) throw forbidden("not allowed to access another player's data");
  return me;
}
