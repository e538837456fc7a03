// Validation of impact-formula parameters: the JSON schema (route body, OpenAPI)
// bounds every number; checkFormula adds the rules that relate fields.
import { ApiError } from '../errors.ts';
import type { FormulaParams } from './formula.ts';

/** Multipliers are capped at ×5 so xp (int4 on the ledger) cannot overflow for sane mission bases. */
const bps = { type: 'integer', minimum: 0, maximum: 50_000 } as const;
const positiveBps = { type: 'integer', minimum: 1, maximum: 50_000 } as const;
const closed = <P extends Record<string, unknown>>(properties: P) =>
  ({ type: 'object', additionalProperties: false, required: Object.keys(properties), properties }) as const;

export const formulaParamsSchema = closed({
  duration: closed({ referenceMinutes: { type: 'integer', minimum: 1, maximum: 1440 }, minBps: positiveBps, maxBps: positiveBps }),
  community: closed({ perWitnessBps: bps, maxBonusBps: bps }),
  level: closed({ perLevelBps: bps, maxBonusBps: bps }),
  difficultyBps: { type: 'array', minItems: 5, maxItems: 5, items: positiveBps, description: 'multiplier per mission difficulty 1..5' },
  streak: closed({ perDayBps: bps, maxBonusBps: bps }),
  authenticity: closed({ floorBps: { type: 'integer', minimum: 0, maximum: 10_000 } }),
  creditUnitsPerReferenceHour: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
  levelXp: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  fund: closed({ localBps: bps, nationalBps: bps, globalBps: bps }),
});

/** Cross-field rules the schema cannot say; throws INVALID_FORMULA (400). */
export function checkFormula(p: FormulaParams): void {
  const problems: string[] = [];
  if (p.duration.minBps > p.duration.maxBps) problems.push('duration.minBps must not exceed duration.maxBps');
  const fund = p.fund.localBps + p.fund.nationalBps + p.fund.globalBps;
  if (fund !== 10_000) problems.push(`fund buckets must add up to 10000 bps (got ${fund})`);
  if (problems.length) throw new ApiError(400, 'INVALID_FORMULA', problems.join('; '), { problems });
}

/** The parameters with keys in schema order, so two equal formulas serialize equally (jsonb does not keep key order). */
export function canonicalFormula(p: FormulaParams): FormulaParams {
  return {
    duration: { referenceMinutes: p.duration.referenceMinutes, minBps: p.duration.minBps, maxBps: p.duration.maxBps },
    community: { perWitnessBps: p.community.perWitnessBps, maxBonusBps: p.community.maxBonusBps },
    level: { perLevelBps: p.level.perLevelBps, maxBonusBps: p.level.maxBonusBps },
    difficultyBps: [...p.difficultyBps],
    streak: { perDayBps: p.streak.perDayBps, maxBonusBps: p.streak.maxBonusBps },
    authenticity: { floorBps: p.authenticity.floorBps },
    creditUnitsPerReferenceHour: p.creditUnitsPerReferenceHour,
    levelXp: p.levelXp,
    fund: { localBps: p.fund.localBps, nationalBps: p.fund.nationalBps, globalBps: p.fund.globalBps },
  };
}

export const sameFormula = (a: FormulaParams, b: FormulaParams) =>
  JSON.stringify(canonicalFormula(a)) === JSON.stringify(canonicalFormula(b));
