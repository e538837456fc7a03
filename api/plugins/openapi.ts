import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../lib/config.ts';

export interface RegisteredRoute {
  method: string;
  url: string;
  /** left out of the OpenAPI document (`schema.hide`) */
  hidden: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after this plugin, as the OpenAPI document should list it. */
    registeredRoutes: readonly RegisteredRoute[];
  }
}

/**
 * OpenAPI 3 generated from the route schemas, served at GET /api/openapi.json,
 * and Swagger UI on it at /docs. Register before routes: the document and
 * `app.registeredRoutes` only see routes added after this plugin.
 */
export default fp(async function openapi(app: FastifyInstance, { config }: { config: Config }) {
  const routes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, hidden: route.schema?.hide === true });
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'OneHeart API', version: '0.1.0', description: 'Errors are `{ error: { code, message, details?, requestId } }`. Sign in with `/api/auth/login` and send the access token as a bearer token.' },
      servers: [{ url: config.PUBLIC_URL }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          internalToken: { type: 'apiKey', in: 'header', name: 'x-internal-token' },
        },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { url: '/api/openapi.json', deepLinking: true, persistAuthorization: false },
    staticCSP: true,
    logLevel: 'warn',
  });
  app.get('/api/openapi.json', {
    config: { auth: 'public' },
    schema: { hide: true, response: { 200: { type: 'object', additionalProperties: true } } },
  }, async () => app.swagger());
}, { name: 'oneheart-openapi' });
