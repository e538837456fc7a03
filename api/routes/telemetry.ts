import type { FastifyInstance } from 'fastify';
import { reports } from '../../telemetry/reports.ts';
import { acceptedWindow, recordEvents, type TelemetryEvent } from '../../telemetry/store.ts';
import type { Deps } from '../deps.ts';
import { ApiError, forbidden } from '../errors.ts';
import { bearer, errors, uuid } from './schemas.ts';

export const MAX_EVENTS = 500;
const MAX_PROPS_BYTES = 4096;
const MAX_REPORT_DAYS = 92;
const DAY = 86_400_000;

const eventSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'occurredAt'],
  properties: {
    id: uuid,
    name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'snake_case, e.g. quest_started, proof_verified' },
    occurredAt: { type: 'string', format: 'date-time' },
    playerId: uuid,
    zoneId: uuid,
    props: { type: 'object', maxProperties: 32 },
  },
} as const;

const ingestBody = {
  type: 'object',
  additionalProperties: false,
  required: ['events'],
  properties: { events: { type: 'array', minItems: 1, maxItems: MAX_EVENTS, items: eventSchema } },
} as const;

const count = { type: 'integer' } as const;
const reportSchema = {
  type: 'object',
  required: ['from', 'to', 'activePlayers', 'activeByZone', 'funnel', 'retention'],
  properties: {
    from: { type: 'string' },
    to: { type: 'string' },
    activePlayers: { type: 'array', items: { type: 'object', properties: { day: { type: 'string' }, players: count } } },
    activeByZone: { type: 'array', items: { type: 'object', properties: { day: { type: 'string' }, zoneId: { type: 'string' }, players: count } } },
    funnel: { type: 'array', items: { type: 'object', properties: { step: { type: 'string' }, events: count, players: count } } },
    retention: {
      type: 'array',
      items: {
        type: 'object',
        properties: { cohort: { type: 'string' }, players: count, d1: { type: ['integer', 'null'] }, d7: { type: ['integer', 'null'] }, d30: { type: ['integer', 'null'] } },
      },
    },
  },
} as const;

/**
 * Telemetry ingestion (anyone, on the global per-IP / per-player rate limits;
 * signed-in events are attributed to the caller) and admin reports.
 */
export default async function telemetryRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { pool } = deps;
  app.post<{ Body: { events: TelemetryEvent[] } }>('/api/telemetry/events', {
    config: { auth: 'public' },
    bodyLimit: 1024 * 1024,
    schema: {
      summary: `Record up to ${MAX_EVENTS} product events; idempotent per event id`,
      tags: ['telemetry'],
      body: ingestBody,
      response: { 200: { type: 'object', required: ['accepted', 'duplicates'], properties: { accepted: count, duplicates: count } }, ...errors(400, 401, 403, 413, 429) },
    },
  }, async (req) => {
    const me = req.user ?? null;
    const window = acceptedWindow(deps.config.TELEMETRY_RETENTION_DAYS);
    const events = req.body.events.map((e, i) => {
      if (e.playerId && e.playerId !== me?.sub) {
        throw me ? forbidden(`events[${i}]: events can only be recorded for yourself`) : forbidden(`events[${i}]: sign in to attribute events to a player`);
      }
      const at = Date.parse(String(e.occurredAt));
      if (!(at >= window.from.getTime() && at < window.to.getTime())) {
        throw new ApiError(400, 'EVENT_OUT_OF_RANGE', `events[${i}].occurredAt is outside the accepted window`, { from: window.from, to: window.to });
      }
      if (e.props && JSON.stringify(e.props).length > MAX_PROPS_BYTES) throw new ApiError(400, 'PROPS_TOO_LARGE', `events[${i}].props exceeds ${MAX_PROPS_BYTES} bytes`);
      return { ...e, playerId: me?.sub ?? null };
    });
    return recordEvents(pool, events);
  });

  app.get<{ Querystring: { from?: string; to?: string } }>('/api/admin/reports', {
    config: { auth: ['admin', 'auditor'] },
    schema: {
      summary: 'Active players, funnel and retention cohorts over UTC days [from, to)',
      tags: ['telemetry'],
      security: bearer,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date', description: 'exclusive; default tomorrow (UTC)' } },
      },
      response: { 200: reportSchema, ...errors(400, 401, 403, 429) },
    },
  }, async (req) => {
    const now = new Date();
    const to = req.query.to ? new Date(`${req.query.to}T00:00:00Z`) : new Date(Math.floor(now.getTime() / DAY) * DAY + DAY);
    const from = req.query.from ? new Date(`${req.query.from}T00:00:00Z`) : new Date(to.getTime() - 30 * DAY);
    if (!(from < to) || to.getTime() - from.getTime() > MAX_REPORT_DAYS * DAY) {
      throw new ApiError(400, 'INVALID_RANGE', `from must be before to, at most ${MAX_REPORT_DAYS} days apart`);
    }
    return reports(pool, from, to, now);
  });
}
