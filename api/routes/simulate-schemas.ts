// JSON schemas of the simulate routes (api/routes/simulate.ts); they also feed OpenAPI.
import { decimalString } from './schemas.ts';

const num = { type: 'number' } as const;
const nullableNum = { type: ['number', 'null'] } as const;
const bps = { type: 'integer', minimum: 0, maximum: 100_000 } as const;
const closed = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, required, properties }) as const;

export const forecastSchema = {
  type: 'object', required: ['scope', 'metric', 'unit', 'asOf', 'history', 'forecast', 'model'],
  properties: {
    scope: { type: 'object', additionalProperties: true, required: ['kind'], properties: { kind: { type: 'string', enum: ['national', 'zone', 'cohort'] } } },
    metric: { type: 'string' }, unit: { type: 'string' }, asOf: { type: 'string' },
    history: { type: 'array', items: { type: 'object', required: ['month', 'value'], properties: { month: { type: 'string' }, value: num } } },
    forecast: {
      type: 'array',
      items: {
        type: 'object', required: ['month', 'point', 'lower80', 'upper80', 'lower95', 'upper95'],
        properties: { month: { type: 'string' }, point: num, lower80: num, upper80: num, lower95: num, upper95: num },
      },
    },
    model: {
      type: 'object', required: ['method', 'spec', 'historyMonths', 'fallback', 'note'],
      properties: {
        method: { type: 'string', enum: ['sarima', 'seasonal-index', 'arima', 'linear-trend'] }, spec: { type: 'string' },
        historyMonths: { type: 'integer' }, fallback: { type: 'boolean', description: 'true when a simpler model than the seasonal one was used' },
        note: { type: ['string', 'null'], description: 'why a simpler model was used' },
      },
    },
  },
} as const;

const pair = (a: string, b: string) => ({ [a]: bps, [b]: bps });
export const policyBody = {
  ...closed({
    formula: {
      ...closed({
        duration: closed({ referenceMinutes: { type: 'integer', minimum: 1, maximum: 1440 }, minBps: bps, maxBps: bps }),
        community: closed(pair('perWitnessBps', 'maxBonusBps')),
        level: closed(pair('perLevelBps', 'maxBonusBps')),
        difficultyBps: { type: 'array', minItems: 5, maxItems: 5, items: bps },
        streak: closed(pair('perDayBps', 'maxBonusBps')),
        authenticity: closed({ floorBps: { type: 'integer', minimum: 0, maximum: 10_000 } }),
        creditUnitsPerReferenceHour: { type: 'integer', minimum: 0, maximum: 1_000_000_000 },
        levelXp: { type: 'integer', minimum: 1, maximum: 1_000_000 },
      }),
      description: 'changed parameters of impact formula v1 (api/impact/formula.ts); unspecified ones keep their value',
    },
    split: {
      ...closed({ localBps: { type: 'integer', minimum: 0, maximum: 10_000 }, nationalBps: { type: 'integer', minimum: 0, maximum: 10_000 }, globalBps: { type: 'integer', minimum: 0, maximum: 10_000 } },
        ['localBps', 'nationalBps', 'globalBps']),
      description: 'Local/National/Global split in basis points (sum 10000)',
    },
  }),
  minProperties: 1,
} as const;

const figures = {
  type: 'object', required: ['entries', 'xp', 'heart', 'impactCredits', 'funding', 'heartPerImpactCredit', 'fundingPerImpactCredit'],
  properties: {
    entries: { type: 'integer' }, xp: decimalString, heart: { ...decimalString, description: 'wei' }, impactCredits: decimalString,
    funding: { ...decimalString, description: 'sponsor deposits, stablecoin base units' },
    heartPerImpactCredit: nullableNum, fundingPerImpactCredit: { ...nullableNum, description: 'stablecoin base units per impact credit' },
  },
} as const;
const change = { type: 'object', required: ['xp', 'heart', 'impactCredits'], properties: { xp: decimalString, heart: decimalString, impactCredits: decimalString } } as const;
const bucketFigures = {
  type: 'object', required: ['ledgerAllocation', 'poolFunded', 'poolDisbursed', 'poolBalance'],
  properties: { ledgerAllocation: { ...decimalString, description: 'Heart (wei) allocated to the bucket by the ledger entries' }, poolFunded: decimalString, poolDisbursed: decimalString, poolBalance: decimalString },
} as const;

export const policyResponse = {
  type: 'object', required: ['formula', 'split', 'replayCheck', 'totals', 'buckets', 'byZone'],
  properties: {
    formula: { type: 'object', required: ['baseVersion', 'parameters'], properties: { baseVersion: { type: 'integer' }, parameters: { type: 'object', additionalProperties: true } } },
    split: { type: ['object', 'null'], additionalProperties: true },
    replayCheck: {
      type: 'object', required: ['entries', 'formulaV1Entries', 'reproduced'],
      description: 'how many formula-v1 entries the unchanged formula recomputes exactly (the fidelity of the replay)',
      properties: { entries: { type: 'integer' }, formulaV1Entries: { type: 'integer' }, reproduced: { type: 'integer' } },
    },
    totals: { type: 'object', required: ['actual', 'simulated', 'change'], properties: { actual: figures, simulated: figures, change } },
    buckets: {
      type: 'array',
      items: { type: 'object', required: ['bucket', 'actual', 'simulated'], properties: { bucket: { type: 'string', enum: ['local', 'national', 'global'] }, actual: bucketFigures, simulated: bucketFigures } },
    },
    byZone: {
      type: 'array',
      items: {
        type: 'object', required: ['zoneId', 'name', 'countryCode', 'actual', 'simulated', 'change'],
        properties: { zoneId: { type: 'string' }, name: { type: 'string' }, countryCode: { type: 'string' }, actual: figures, simulated: figures, change },
      },
    },
  },
} as const;
