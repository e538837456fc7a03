import type { FastifyInstance } from 'fastify';
import type { Role } from '../auth/roles.ts';
import type { Deps } from '../deps.ts';
import { policyInsights } from '../../simulate/insights.ts';
import { MONTH_PATTERN, monthOf } from '../../simulate/months.ts';
import { forecastSchema } from './simulate-schemas.ts';
import { bearer, errors } from './schemas.ts';

const OVERSIGHT: readonly Role[] = ['auditor', 'admin'];
const num = { type: 'number' } as const;
const nullableNum = { type: ['number', 'null'] } as const;
const series = {
  type: 'array',
  items: { type: 'object', required: ['month', 'actions', 'impactCredits', 'heart'], properties: { month: { type: 'string' }, actions: { type: 'integer' }, impactCredits: num, heart: num } },
} as const;
const totals = { type: 'object', required: ['actions', 'impactCredits', 'heart'], properties: { actions: { type: 'integer' }, impactCredits: num, heart: num } } as const;
const trend = {
  type: 'object', required: ['impactCreditsPerMonth', 'changePct'],
  properties: { impactCreditsPerMonth: { ...num, description: 'least-squares slope over the window' }, changePct: { ...nullableNum, description: 'second half of the window against the first, %' } },
} as const;

/** GET /api/government/policy-insights: trends per zone and mission type, cost per impact credit, the national forecast. */
export default async function policyInsightsRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const { pool } = deps;
  app.get<{ Querystring: { asOf?: string; months?: string } }>('/api/government/policy-insights', {
    config: { auth: OVERSIGHT },
    schema: {
      summary: 'Monthly trends of impact per zone and per mission type, cost per impact credit (Heart and sponsor funding), and a 12-month national forecast of impact credits with 80%/95% intervals',
      tags: ['government'], security: bearer,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          asOf: { type: 'string', pattern: MONTH_PATTERN, description: 'first month after the window and of the forecast (YYYY-MM); default the current UTC month' },
          months: { type: 'string', pattern: '^([1-9]|[12][0-9]|3[0-6])$', description: 'trend window in months, 1–36 (default 12)' },
        },
      },
      response: {
        200: {
          type: 'object', required: ['asOf', 'months', 'byZone', 'byMissionType', 'costPerImpactCredit', 'forecast', 'forecastUnavailable'],
          properties: {
            asOf: { type: 'string' }, months: { type: 'array', items: { type: 'string' } },
            byZone: {
              type: 'array',
              items: {
                type: 'object', required: ['zoneId', 'name', 'countryCode', 'series', 'totals', 'trend', 'costPerImpactCredit'],
                properties: {
                  zoneId: { type: 'string' }, name: { type: 'string' }, countryCode: { type: 'string' }, series, totals, trend,
                  costPerImpactCredit: { type: 'object', required: ['heart', 'funding'], properties: { heart: nullableNum, funding: nullableNum } },
                },
              },
            },
            byMissionType: {
              type: 'array',
              items: {
                type: 'object', required: ['type', 'series', 'totals', 'trend', 'costPerImpactCredit'],
                properties: { type: { type: 'string' }, series, totals, trend, costPerImpactCredit: { type: 'object', required: ['heart'], properties: { heart: nullableNum } } },
              },
            },
            costPerImpactCredit: {
              type: 'object', required: ['heart', 'funding'],
              description: 'over the whole ledger before asOf: HEART minted per impact credit; sponsor deposits (stablecoin base units) per impact credit',
              properties: { heart: nullableNum, funding: nullableNum },
            },
            forecast: { ...forecastSchema, type: ['object', 'null'] },
            forecastUnavailable: { type: ['string', 'null'], description: 'why there is no forecast (too little history)' },
          },
        },
        ...errors(400, 401, 403, 429),
      },
    },
  }, async (req) => policyInsights(pool, req.query.asOf ?? monthOf(new Date()), Number(req.query.months ?? 12)));
}
