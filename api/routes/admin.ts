import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ReadCache } from '../../lib/read-cache.ts';
import type { PlayerAccess } from '../admin/access.ts';
import type { AuditActor } from '../admin/audit.ts';
import { dashboard } from '../admin/dashboard.ts';
import { QUEUE_STATES } from '../admin/platform-state.ts';
import { activate, searchUsers, setRole, suspend, type UserQuery } from '../admin/users.ts';
import { ADMIN_ONLY, ROLES, type Role } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import type { FormulaParams } from '../impact/formula.ts';
import { formulaParamsSchema } from '../impact/formula-schema.ts';
import { activeFormula, formulaHistory, publishFormula, type FormulaVersion } from '../impact/formula-store.ts';
import { caller } from '../plugins/auth.ts';
import { impactQueue, verifyQueue } from '../proofs/queue.ts';
import { profileKey } from './player.ts';
import { bearer, errors, idParams } from './schemas.ts';

const count = { type: 'integer' } as const;
const counts = { type: 'object', additionalProperties: count } as const;
const nullableString = { type: ['string', 'null'] } as const;

const userSchema = {
  type: 'object',
  required: ['id', 'address', 'did', 'displayName', 'role', 'level', 'xp', 'createdAt', 'suspended', 'suspendedAt', 'suspensionReason'],
  properties: {
    id: { type: 'string' }, address: { type: 'string' }, did: { type: 'string' }, displayName: nullableString,
    role: { type: 'string', enum: [...ROLES] }, level: count, xp: { type: 'string' }, createdAt: { type: 'string' },
    suspended: { type: 'boolean' }, suspendedAt: nullableString, suspensionReason: nullableString,
  },
} as const;
const changeSchema = {
  type: 'object', required: ['user', 'changed'],
  properties: { user: userSchema, changed: { type: 'boolean', description: 'false when the user already was in that state (nothing written)' } },
} as const;

const queueCounts = { type: 'object', properties: Object.fromEntries(QUEUE_STATES.map((s) => [s, count])) } as const;
const dashboardSchema = {
  type: 'object',
  required: ['generatedAt', 'players', 'actions', 'verification', 'queues', 'ledger', 'epochs', 'indexer'],
  properties: {
    generatedAt: { type: 'string' },
    players: { type: 'object', required: ['total', 'byRole', 'suspended'], properties: { total: count, byRole: counts, suspended: count } },
    actions: {
      type: 'object', required: ['today', 'last7d'],
      properties: Object.fromEntries(['today', 'last7d'].map((k) => [k, { type: 'object', required: ['total', 'byStatus'], properties: { total: count, byStatus: counts } }])),
    },
    verification: { type: 'object', required: ['last7d'], properties: { last7d: counts } },
    queues: { type: ['object', 'null'], additionalProperties: queueCounts, description: 'null when Redis is unreachable' },
    ledger: { type: 'object', required: ['entries'], properties: { entries: count } },
    epochs: {
      type: 'object', required: ['latest', 'byStatus'],
      properties: {
        latest: {
          type: ['object', 'null'],
          properties: { epoch: count, month: { type: 'string' }, status: { type: 'string' }, treeSize: { type: 'string' }, anchorTxHash: nullableString, anchoredAt: nullableString },
        },
        byStatus: counts,
      },
    },
    indexer: { type: 'object', required: ['block', 'head', 'lagBlocks'], properties: { block: { type: ['integer', 'null'] }, head: { type: ['integer', 'null'] }, lagBlocks: { type: ['integer', 'null'] } } },
  },
} as const;

const formulaVersionSchema = {
  type: 'object', required: ['version', 'params', 'note', 'createdBy', 'createdAt'],
  properties: { version: count, params: formulaParamsSchema, note: nullableString, createdBy: nullableString, createdAt: { type: 'string' } },
} as const;
const formulaView = (f: FormulaVersion) => ({ ...f, createdAt: f.createdAt.toISOString() });

const actorOf = (req: FastifyRequest): AuditActor => ({ id: caller(req).sub, ip: req.ip });

/** Admin: platform dashboard, user roles and suspension, impact-formula versions. Every change is audited. */
export default async function adminRoutes(app: FastifyInstance, { deps, access }: { deps: Deps; access: PlayerAccess }) {
  const { pool } = deps;
  const profiles = new ReadCache(deps.redis, deps.config.REDIS_PREFIX);
  const queues = [verifyQueue(deps), impactQueue(deps)];
  app.addHook('onClose', async () => {
    await Promise.all(queues.map((q) => q.close()));
  });

  app.get('/api/admin/dashboard', {
    config: { auth: ADMIN_ONLY },
    schema: {
      summary: 'Players, actions today / 7 days, verification outcomes, queue depths, ledger size, latest epoch, indexer lag',
      tags: ['admin'], security: bearer, response: { 200: dashboardSchema, ...errors(401, 403, 429) },
    },
  }, async () => dashboard(pool, queues, deps.chain));

  app.get<{ Querystring: { q?: string; role?: Role; suspended?: 'true' | 'false'; limit?: string; offset?: string } }>('/api/admin/users', {
    config: { auth: ADMIN_ONLY },
    schema: {
      summary: 'Search players by address prefix, display name, DID or id; filter by role and suspension', tags: ['admin'], security: bearer,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          q: { type: 'string', minLength: 1, maxLength: 100 },
          role: { type: 'string', enum: [...ROLES] },
          suspended: { type: 'string', enum: ['true', 'false'] },
          limit: { type: 'string', pattern: '^(100|[1-9][0-9]?)$' },
          offset: { type: 'string', pattern: '^[0-9]{1,9}$' },
        },
      },
      response: {
        200: { type: 'object', required: ['users', 'total', 'limit', 'offset'], properties: { users: { type: 'array', items: userSchema }, total: count, limit: count, offset: count } },
        ...errors(400, 401, 403, 429),
      },
    },
  }, async (req) => {
    const query: UserQuery = {
      q: req.query.q, role: req.query.role, suspended: req.query.suspended === undefined ? undefined : req.query.suspended === 'true',
      limit: Number(req.query.limit ?? 20), offset: Number(req.query.offset ?? 0),
    };
    return { ...(await searchUsers(pool, query)), limit: query.limit, offset: query.offset };
  });

  app.post<{ Params: { id: string }; Body: { role: Role } }>('/api/admin/users/:id/role', {
    config: { auth: ADMIN_ONLY },
    schema: {
      summary: "Set a player's role (audited; the player's older access tokens stop working; same role = no change)", tags: ['admin'], security: bearer,
      params: idParams,
      body: { type: 'object', additionalProperties: false, required: ['role'], properties: { role: { type: 'string', enum: [...ROLES] } } },
      response: { 200: changeSchema, ...errors(400, 401, 403, 404, 409, 429) },
    },
  }, async (req) => {
    const result = await setRole(pool, access, actorOf(req), req.params.id, req.body.role);
    if (result.changed) await profiles.invalidate(profileKey(profiles, req.params.id)); // the cached profile shows the role
    return result;
  });

  app.post<{ Params: { id: string }; Body: { reason?: string } }>('/api/admin/users/:id/suspend', {
    config: { auth: ADMIN_ONLY },
    schema: {
      summary: 'Suspend a player: access tokens refused, refresh tokens revoked (audited; idempotent)', tags: ['admin'], security: bearer,
      params: idParams,
      body: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } } },
      response: { 200: changeSchema, ...errors(400, 401, 403, 404, 409, 429) },
    },
  }, async (req) => suspend(pool, access, actorOf(req), req.params.id, req.body?.reason ?? null));

  app.post<{ Params: { id: string } }>('/api/admin/users/:id/activate', {
    config: { auth: ADMIN_ONLY },
    schema: {
      summary: 'Lift a suspension (audited; idempotent)', tags: ['admin'], security: bearer, params: idParams,
      response: { 200: changeSchema, ...errors(400, 401, 403, 404, 429) },
    },
  }, async (req) => activate(pool, access, actorOf(req), req.params.id));

  app.get('/api/admin/impact-formula', {
    config: { auth: ADMIN_ONLY },
    schema: {
      summary: 'The active impact-formula version and every earlier one (newest first)', tags: ['admin'], security: bearer,
      response: { 200: { type: 'object', required: ['active', 'versions'], properties: { active: formulaVersionSchema, versions: { type: 'array', items: formulaVersionSchema } } }, ...errors(401, 403, 429) },
    },
  }, async () => {
    const [active, versions] = await Promise.all([activeFormula(pool), formulaHistory(pool)]);
    return { active: formulaView(active), versions: versions.map(formulaView) };
  });

  app.post<{ Body: { params: FormulaParams; note?: string; basedOn?: number } }>('/api/admin/impact-formula', {
    config: { auth: ADMIN_ONLY },
    schema: {
      summary: 'Publish new formula parameters as the next version (audited). Parameters equal to the active ones publish nothing (created = false)',
      tags: ['admin'], security: bearer,
      body: {
        type: 'object', additionalProperties: false, required: ['params'],
        properties: {
          params: formulaParamsSchema,
          note: { type: 'string', minLength: 1, maxLength: 500 },
          basedOn: { type: 'integer', minimum: 1, description: 'the version these parameters were edited from; 409 when another was published since' },
        },
      },
      response: { 200: { type: 'object', required: ['formula', 'created'], properties: { formula: formulaVersionSchema, created: { type: 'boolean' } } }, ...errors(400, 401, 403, 409, 429) },
    },
  }, async (req) => {
    const { formula, created } = await publishFormula(pool, req.body, actorOf(req));
    return { formula: formulaView(formula), created };
  });
}
