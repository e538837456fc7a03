import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { testApp, type TestApp } from '../testing.ts';

describe('OpenAPI document', () => {
  let db: TestDatabase;
  let t: TestApp;
  before(async () => {
    db = await freshDatabase();
    t = await testApp(db.url);
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  it('GET /api/openapi.json describes every /api route with response schemas and closed bodies', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.0.3');
    for (const p of ['/api/auth/nonce', '/api/auth/login', '/api/auth/refresh', '/api/auth/logout', '/api/player/{id}', '/api/player/{id}/inventory', '/api/map/zones', '/api/map/zones/{id}/missions', '/api/quest/create', '/api/quest/list', '/api/quest/{id}/start']) {
      assert.ok(doc.paths[p], p);
    }
    assert.ok(!doc.paths['/api/openapi.json']);
    for (const [path, ops] of Object.entries<Record<string, { responses?: object; requestBody?: { content: Record<string, { schema: { additionalProperties?: boolean } }> } }>>(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        assert.ok(op.responses && Object.keys(op.responses).some((c) => /^2\d\d$/.test(c)), `${method} ${path} has a success response schema`);
        if (path.startsWith('/api/')) assert.ok(op.responses && Object.keys(op.responses).some((c) => /^4\d\d$/.test(c)), `${method} ${path} documents its errors`);
        const body = op.requestBody?.content['application/json']?.schema;
        if (body) assert.equal(body.additionalProperties, false, `${method} ${path} body is closed`);
      }
    }
  });

  it('every /api route must declare who may call it', async () => {
    const { default: Fastify } = await import('fastify');
    const { default: auth } = await import('./auth.ts');
    const app = Fastify();
    await app.register(auth, { config: t.deps.config });
    assert.throws(() => app.get('/api/undeclared', async () => ({})), /declares no config.auth/);
    app.get('/api/declared', { config: { auth: 'public' } }, async () => ({}));
    await app.close();
  });
});
