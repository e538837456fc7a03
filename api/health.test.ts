import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig, testServices } from '../lib/config.ts';
import { createLogger } from '../lib/logger.ts';
import { freshDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { buildApp } from './app.ts';
import { createDeps, type Deps } from './deps.ts';

async function appWith(overrides: Record<string, string>): Promise<{ app: FastifyInstance; deps: Deps }> {
  const services = testServices();
  const config = loadConfig({ ...services, S3_BUCKET: 'oneheart-health', ...overrides });
  const deps = createDeps(config);
  return { app: await buildApp(deps, createLogger('test', 'silent')), deps };
}

describe('API skeleton', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let deps: Deps;
  before(async () => {
    db = await freshDatabase();
    // readiness is about reachability here, not latency: a loaded test machine gets time
    ({ app, deps } = await appWith({ DATABASE_URL: db.url, READY_TIMEOUT_MS: '30000' }));
    await deps.storage.ensureBucket();
  });
  after(async () => {
    await app.close();
    await deps.close();
    await db.drop();
  });

  it('GET /health answers ok', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  it('GET /ready is 200 when database, Redis, S3 and chain all answer', async () => {
    const res = await app.inject({ method: 'GET', url: '/ready' });
    const body = res.json();
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(body.status, 'ready');
    for (const k of ['database', 'redis', 'storage', 'chain']) assert.equal(body.checks[k].ok, true, k);
  });

  it('GET /ready is 503 and names the failing dependency when one is down', async () => {
    const broken = await appWith({ DATABASE_URL: db.url, S3_BUCKET: 'no-such-bucket-here', RPC_URL: 'http://127.0.0.1:9' });
    try {
      const res = await broken.app.inject({ method: 'GET', url: '/ready' });
      const body = res.json();
      assert.equal(res.statusCode, 503);
      assert.equal(body.checks.database.ok, true);
      assert.equal(body.checks.storage.ok, false);
      assert.equal(body.checks.chain.ok, false);
    } finally {
      await broken.app.close();
      await broken.deps.close();
    }
  });

  it('unknown routes get 404 with a machine-readable code and the request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'req-12345678' } });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'NOT_FOUND');
    assert.equal(res.json().error.requestId, 'req-12345678');
    assert.equal(res.headers['x-request-id'], 'req-12345678');
  });

  it('rejects oversized bodies with 413 and a code', async () => {
    const res = await app.inject({ method: 'POST', url: '/health', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'a'.repeat(2 * 1024 * 1024) }) });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'CTP_BODY_TOO_LARGE');
  });
});
