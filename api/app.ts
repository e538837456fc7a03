import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { PlayerAccess } from './admin/access.ts';
import type { Deps } from './deps.ts';
import auth from './plugins/auth.ts';
import errorHandler from './plugins/error-handler.ts';
import metrics from './plugins/metrics.ts';
import openapi from './plugins/openapi.ts';
import rateLimits from './plugins/rate-limit.ts';
import adminRoutes from './routes/admin.ts';
import adminReviewRoutes from './routes/admin-review.ts';
import authRoutes from './routes/auth.ts';
import badgeRoutes from './routes/badges.ts';
import communityRoutes from './routes/community.ts';
import governmentRoutes from './routes/government.ts';
import healthRoutes from './routes/health.ts';
import impactRoutes from './routes/impact.ts';
import leaderboardRoutes from './routes/leaderboard.ts';
import ledgerRoutes from './routes/ledger.ts';
import ledgerWebhookRoutes from './routes/ledger-webhooks.ts';
import tokenRoutes from './routes/token.ts';
import mapRoutes from './routes/map.ts';
import notificationRoutes from './routes/notification.ts';
import playerRoutes from './routes/player.ts';
import policyInsightsRoutes from './routes/policy-insights.ts';
import proofRoutes from './routes/proof.ts';
import questRoutes from './routes/quest.ts';
import simulateRoutes from './routes/simulate.ts';
import rewardRoutes from './routes/reward.ts';
import recommendRoutes from './routes/recommend.ts';
import socialRoutes from './routes/social.ts';
import sponsorRoutes from './routes/sponsor.ts';
import telemetryRoutes from './routes/telemetry.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * The Fastify app without a listening socket: tests inject requests into it,
 * api/server.ts listens. Limits are set on purpose: 1 MiB bodies (uploads go
 * straight to S3 through presigned URLs), 30 s per request.
 */
export async function buildApp(deps: Deps, logger: FastifyBaseLogger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: 1024 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    trustProxy: deps.config.TRUST_PROXY,
    requestIdHeader: 'x-request-id',
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  await app.register(errorHandler);
  await app.register(helmet);
  await app.register(cors, { origin: deps.config.CORS_ORIGINS.length ? deps.config.CORS_ORIGINS : false });
  const access = new PlayerAccess(deps); // suspensions and role-change cut-offs, checked on every token
  access.start();
  app.addHook('onClose', async () => access.stop());
  await app.register(auth, { config: deps.config, access: access.check });
  await app.register(rateLimits, { deps });
  await app.register(openapi, { config: deps.config }); // first: it sees every route registered after it
  await app.register(metrics, { deps });
  await app.register(healthRoutes, { deps });
  await app.register(authRoutes, { deps });
  await app.register(playerRoutes, { deps });
  await app.register(mapRoutes, { deps });
  await app.register(questRoutes, { deps });
  await app.register(proofRoutes, { deps });
  await app.register(socialRoutes, { deps });
  await app.register(communityRoutes, { deps });
  await app.register(badgeRoutes, { deps });
  await app.register(impactRoutes, { deps });
  await app.register(telemetryRoutes, { deps });
  await app.register(ledgerRoutes, { deps });
  await app.register(tokenRoutes, { deps });
  await app.register(rewardRoutes, { deps });
  await app.register(leaderboardRoutes, { deps });
  await app.register(governmentRoutes, { deps });
  await app.register(policyInsightsRoutes, { deps });
  await app.register(simulateRoutes, { deps });
  await app.register(notificationRoutes, { deps });
  await app.register(sponsorRoutes, { deps });
  await app.register(ledgerWebhookRoutes, { deps });
  await app.register(adminRoutes, { deps, access });
  await app.register(adminReviewRoutes, { deps });
  await app.register(recommendRoutes, { deps }); // internal: /recommend/*
  await app.register((await import('./routes/web.ts')).default, { deps }); // public verify page (web/)
  return app;
}
