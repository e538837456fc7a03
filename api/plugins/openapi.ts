import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../lib/config.ts';

/** OpenAPI 3 generated from the route schemas, served at GET /api/openapi.json. Register before routes. */
export default fp(async function openapi(app: FastifyInstance, { config }: { config: Config }) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'OneHeart API', version: '0.1.0' },
      servers: [{ url: config.PUBLIC_URL }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          internalToken: { type: 'apiKey', in: 'header', name: 'x-internal-token' },
        },
      },
    },
  });
  app.get('/api/openapi.json', {
    config: { auth: 'public' },
    schema: { hide: true, response: { 200: { type: 'object', additionalProperties: true } } },
  }, async () => app.swagger());
}, { name: 'oneheart-openapi' });
