import type { FastifyInstance } from 'fastify';
import type { Role } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { routeLimit } from '../plugins/rate-limit.ts';
import { InsufficientHistoryError } from '../../simulate/forecast.ts';
import { METRICS, type Metric, type Scope } from '../../simulate/history.ts';
import { forecastImpact } from '../../simulate/impact-forecast.ts';
import { MONTH_PATTERN, monthOf } from '../../simulate/months.ts';
import { PolicyInputError, simulatePolicy, type PolicyRequest } from '../../simulate/policy.ts';
import { forecastSchema, policyBody, policyResponse } from './simulate-schemas.ts';
import { bearer, errors, uuid } from './schemas.ts';

/** Internal simulation service: callers are oversight roles (government auditors) and admins. */
const SIMULATE: readonly Role[] = ['auditor', 'admin'];

interface ForecastBody { metric?: Metric; asOf?: string; horizon?: number }
const forecastBodyProperties = {
  metric: { type: 'string', enum: [...METRICS], default: 'impactCredits' },
  asOf: { type: 'string', pattern: MONTH_PATTERN, description: 'first forecast month (YYYY-MM); history = complete months before it. Default: the current UTC month' },
  horizon: { type: 'integer', minimum: 1, maximum: 24, default: 12 },
} as const;

/**
 * POST /simulate/national-impact, /regional-impact, /cohort-impact (monthly
 * forecasts of the ledger with 80% and 95% intervals) and /simulate/policy
 * (the ledger replayed under another formula or fund split). Read-only.
 */
export default async function simulateRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { pool } = deps;
  async function forecast(scope: Scope, body: ForecastBody) {
    try {
      return await forecastImpact(pool, scope, body.metric ?? 'impactCredits', body.asOf ?? monthOf(new Date()), body.horizon ?? 12);
    } catch (err) {
      if (err instanceof InsufficientHistoryError) {
        throw new ApiError(422, 'INSUFFICIENT_HISTORY', err.message, { months: err.months });
      }
      throw err;
    }
  }
  const route = (summary: string, required: string[], extra: Record<string, unknown>) => ({
    config: { auth: SIMULATE, rateLimit: routeLimit(deps.config.RATE_LIMIT_SIMULATE) },
    schema: {
      summary, tags: ['simulate'], security: bearer,
      body: { type: 'object', additionalProperties: false, required, properties: { ...forecastBodyProperties, ...extra } },
      response: { 200: forecastSchema, ...errors(400, 401, 403, 404, 422, 429) },
    },
  });

  app.post<{ Body: ForecastBody & { countryCode?: string } }>('/simulate/national-impact',
    route('12-month forecast of the whole ledger (or one country) with 80% and 95% intervals', [], { countryCode: { type: 'string', pattern: '^[A-Z]{2}$' } }),
    async (req) => forecast({ kind: 'national', ...(req.body.countryCode ? { countryCode: req.body.countryCode } : {}) }, req.body));

  app.post<{ Body: ForecastBody & { zoneId: string } }>('/simulate/regional-impact',
    route('12-month forecast of one zone with 80% and 95% intervals', ['zoneId'], { zoneId: uuid }),
    async (req) => {
      const zone = await pool.query('SELECT 1 FROM zones WHERE id = $1::uuid', [req.body.zoneId]);
      if (!zone.rows[0]) throw notFound('zone');
      return forecast({ kind: 'zone', zoneId: req.body.zoneId }, req.body);
    });

  app.post<{ Body: ForecastBody & { cohort: string } }>('/simulate/cohort-impact',
    route('12-month forecast of one cohort (players whose first ledger entry fell in a month) with 80% and 95% intervals', ['cohort'],
      { cohort: { type: 'string', pattern: MONTH_PATTERN, description: 'month of the players\' first ledger entry (YYYY-MM)' } }),
    async (req) => forecast({ kind: 'cohort', cohort: req.body.cohort }, req.body));

  app.post<{ Body: PolicyRequest }>('/simulate/policy', {
    config: { auth: SIMULATE, rateLimit: routeLimit(deps.config.RATE_LIMIT_SIMULATE) },
    schema: {
      summary: 'Replay the recorded ledger under changed impact-formula parameters and/or another Local/National/Global split, beside the actual figures (never writes)',
      tags: ['simulate'], security: bearer, body: policyBody,
      response: { 200: policyResponse, ...errors(400, 401, 403, 429) },
    },
  }, async (req) => {
    try {
      return await simulatePolicy(pool, req.body);
    } catch (err) {
      if (err instanceof PolicyInputError) throw new ApiError(400, 'INVALID_POLICY', err.message);
      throw err;
    }
  });
}
