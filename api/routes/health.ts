import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.ts';
import { indexerStatus, indexerStatusSchema } from '../indexer-status.ts';

type CheckResult = { ok: true; ms: number } | { ok: false; ms: number; error: string };

async function timed(check: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - start) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - start), error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

const checkSchema = {
  type: 'object',
  required: ['ok', 'ms'],
  properties: { ok: { type: 'boolean' }, ms: { type: 'number' }, error: { type: 'string' } },
} as const;

const readySchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    checks: {
      type: 'object',
      required: ['database', 'redis', 'storage', 'chain'],
      properties: { database: checkSchema, redis: checkSchema, storage: checkSchema, chain: checkSchema },
    },
    indexer: indexerStatusSchema,
  },
} as const;

/**
 * `/health`: the process is alive. `/ready`: every dependency answers; it also shows the chain
 * mirror's head, indexed block, lag and events/s (informative: a lagging indexer does not make
 * the API unready).
 */
export default async function healthRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  app.get('/health', {
    logLevel: 'warn',
    schema: {
      summary: 'Liveness',
      tags: ['health'],
      response: { 200: { type: 'object', required: ['status'], properties: { status: { type: 'string', const: 'ok' } } } },
    },
  }, async () => ({ status: 'ok' as const }));

  app.get('/ready', {
    logLevel: 'warn',
    schema: { summary: 'Readiness: database, Redis, object storage and chain reachable; indexer progress', tags: ['health'], response: { 200: readySchema, 503: readySchema } },
  }, async (_req, reply) => {
    const [database, redis, storage, chain, indexer] = await Promise.all([
      timed(() => deps.db.$queryRaw`SELECT 1`, deps.config.READY_TIMEOUT_MS),
      timed(() => deps.redis.ping(), deps.config.READY_TIMEOUT_MS),
      timed(() => deps.storage.ping(), deps.config.READY_TIMEOUT_MS),
      timed(() => deps.chain.getBlockNumber(), deps.config.READY_TIMEOUT_MS),
      indexerStatus(deps.db).catch(() => null),
    ]);
    const checks = { database, redis, storage, chain };
    const ready = Object.values(checks).every((c) => c.ok);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks, indexer });
  });
}
