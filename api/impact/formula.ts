/**
 * The impact formula. Parameters are data: a new formula is a new version with
 * its own parameters (table impact_formulas, see formula-store.ts), never an
 * edit of an old one; ledger entries record the version they were computed with.
 * FORMULA_V1 is version 1, the migration's first row.
 *
 * All multipliers are integers in basis points (10 000 = ×1) so the result is
 * exact and reproducible: heart (wei) and xp are floor(base × Π multipliers).
 */
export const FORMULA_VERSION = 1;

export interface FormulaParams {
  duration: { referenceMinutes: number; minBps: number; maxBps: number };
  community: { perWitnessBps: number; maxBonusBps: number };
  level: { perLevelBps: number; maxBonusBps: number };
  /** one multiplier per mission difficulty 1..5 */
  difficultyBps: readonly number[];
  streak: { perDayBps: number; maxBonusBps: number };
  authenticity: { floorBps: number };
  creditUnitsPerReferenceHour: number;
  levelXp: number;
  fund: { localBps: number; nationalBps: number; globalBps: number };
}

/** A formula version and its parameters. */
export interface Formula {
  version: number;
  params: FormulaParams;
}

export const FORMULA_V1: FormulaParams = {
  /** duration factor = clamp(sqrt(minutes / referenceMinutes)) */
  duration: { referenceMinutes: 60, minBps: 5_000, maxBps: 30_000 },
  /** community: +perWitnessBps per witness, capped */
  community: { perWitnessBps: 500, maxBonusBps: 2_500 },
  /** player level: +perLevelBps per level above 1, capped */
  level: { perLevelBps: 200, maxBonusBps: 5_000 },
  /** mission difficulty 1..5 */
  difficultyBps: [10_000, 11_000, 12_500, 15_000, 20_000] as readonly number[],
  /** streak: +perDayBps per consecutive day beyond the first, capped */
  streak: { perDayBps: 200, maxBonusBps: 3_000 },
  /** authenticity: floorBps at score 0, ×1 at score 100 */
  authenticity: { floorBps: 5_000 },
  /** impact credits (units of 0.0001): one credit per reference hour at ×1 */
  creditUnitsPerReferenceHour: 10_000,
  /** XP needed for level n: levelXp × (n-1)^2 */
  levelXp: 100,
  fund: { localBps: 6_000, nationalBps: 3_000, globalBps: 1_000 },
};

export const FORMULA_1: Formula = { version: FORMULA_VERSION, params: FORMULA_V1 };

const BPS = 10_000;

export interface ImpactInputs {
  baseXp: number;
  /** Heart in wei */
  baseHeart: bigint;
  durationMinutes: number;
  /** zones.multiplier as a decimal string, e.g. "1.500" */
  zoneMultiplier: string;
  witnesses: number;
  level: number;
  difficulty: number;
  streakDays: number;
  /** verification authenticity 0..100 */
  score: number;
}

export interface ImpactBreakdown {
  formulaVersion: number;
  base: { xp: number; heart: string; durationMinutes: number };
  multipliersBps: { duration: number; zone: number; community: number; level: number; difficulty: number; streak: number; authenticity: number };
  xp: number;
  heart: bigint;
  impactCredits: bigint;
  fund: { localBps: number; nationalBps: number; globalBps: number };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** "1.5" → 15 000 bps (decimal(6,3) has at most 3 decimals, so this is exact). */
export function decimalToBps(value: string): number {
  const m = /^(\d+)(?:\.(\d{1,4}))?$/.exec(value.trim());
  if (!m) throw new Error(`multiplier: not a non-negative decimal: ${value}`);
  return Number(m[1]) * BPS + Number((m[2] ?? '').padEnd(4, '0'));
}

/** The level reached with `xp` under `params` (default version 1). */
export function levelFor(xp: bigint, params: FormulaParams): number {
  // largest n with levelXp × (n-1)^2 <= xp
  const steps = Math.floor(Math.sqrt(Number(xp) / params.levelXp));
  return 1 + steps;
}

export const levelForXp = (xp: bigint): number => levelFor(xp, FORMULA_V1);

export function computeImpact(i: ImpactInputs, formula: Formula = FORMULA_1): ImpactBreakdown {
  const p = formula.params;
  const duration = Math.round(clamp(Math.sqrt(i.durationMinutes / p.duration.referenceMinutes) * BPS, p.duration.minBps, p.duration.maxBps));
  const zone = decimalToBps(i.zoneMultiplier);
  const community = BPS + Math.min(p.community.maxBonusBps, Math.max(0, i.witnesses) * p.community.perWitnessBps);
  const level = BPS + Math.min(p.level.maxBonusBps, Math.max(0, i.level - 1) * p.level.perLevelBps);
  const difficulty = p.difficultyBps[clamp(i.difficulty, 1, p.difficultyBps.length) - 1] ?? BPS;
  const streak = BPS + Math.min(p.streak.maxBonusBps, Math.max(0, i.streakDays - 1) * p.streak.perDayBps);
  const authenticity = p.authenticity.floorBps + Math.round(((BPS - p.authenticity.floorBps) * clamp(i.score, 0, 100)) / 100);
  const multipliersBps = { duration, zone, community, level, difficulty, streak, authenticity };
  const factors = Object.values(multipliersBps).map(BigInt);
  const scale = BigInt(BPS) ** BigInt(factors.length);
  const product = factors.reduce((a, b) => a * b, 1n);
  const xp = Number((BigInt(i.baseXp) * product) / scale);
  const heart = (i.baseHeart * product) / scale;
  // credits scale with time spent and every multiplier except duration (time is already the base)
  const creditProduct = product / BigInt(duration);
  const impactCredits = (BigInt(p.creditUnitsPerReferenceHour) * BigInt(i.durationMinutes) * creditProduct) / (BigInt(p.duration.referenceMinutes) * (scale / BigInt(BPS)));
  return {
    formulaVersion: formula.version,
    base: { xp: i.baseXp, heart: i.baseHeart.toString(), durationMinutes: i.durationMinutes },
    multipliersBps,
    xp,
    heart,
    impactCredits,
    fund: { ...p.fund },
  };
}
