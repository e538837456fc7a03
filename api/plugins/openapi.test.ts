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

describe('API docs at /docs', () => {
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

  it('serves Swagger UI with its assets', async () => {
    const page = await t.app.inject({ url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.body, /swagger-ui/);
    const init = await t.app.inject({ url: '/docs/static/swagger-initializer.js' });
    assert.equal(init.statusCode, 200);
    assert.match(init.body, /openapi\.json/, 'the UI loads the API document');
    assert.equal((await t.app.inject({ url: '/docs/static/swagger-ui-bundle.js' })).statusCode, 200);
    assert.equal((await t.app.inject({ url: '/docs' })).statusCode < 400, true);
  });

  it('documents every registered route except a short list of non-API pages', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = t.app.registeredRoutes.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
    assert.ok(routes.some((r) => r.url === '/api/admin/dashboard'), 'admin routes are registered');
    const missing: string[] = [];
    const hidden: string[] = [];
    for (const r of routes) {
      if (r.hidden) {
        hidden.push(r.url);
        continue;
      }
      const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      if (!doc.paths[path]?.[r.method.toLowerCase()]) missing.push(`${r.method} ${r.url}`);
    }
    assert.deepEqual(missing, []);
    const allowed = /^(\/metrics|\/api\/openapi\.json|\/docs.*|\/verify.*|\/dashboard\/.*)$/;
    assert.deepEqual(hidden.filter((u) => !allowed.test(u)), [], 'only operational and static pages stay out of the document');
    assert.ok(hidden.includes('/metrics') && hidden.includes('/api/openapi.json'));
    const documented = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    assert.equal(documented, routes.filter((r) => !r.hidden).length, 'and nothing else');
  });
});
