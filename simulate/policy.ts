// The policy simulator: "what if the impact formula, or the Local/National/
// Global split, had been different?" Replays the recorded ledger under the
// changed parameters (replay.ts) and sets the outcome beside the recorded
// figures — Heart minted, impact credits, bucket balances, cost per impact
// credit — in total and per zone. Read-only.
import type pg from 'pg';
import { FORMULA_V1, FORMULA_VERSION, type FormulaParams } from '../api/impact/formula.ts';
import { creditsDecimal } from '../lib/ledger-store.ts';
import { BUCKETS, readFunding, type Bucket } from './funding.ts';
import { replayLedger, type Fund } from './replay.ts';

/** Parameter changes: any subset of the formula's parameters (FormulaParams), integers as in formula.ts. */
export interface FormulaChanges {
  duration?: Partial<FormulaParams['duration']>;
  community?: Partial<FormulaParams['community']>;
  level?: Partial<FormulaParams['level']>;
  difficultyBps?: number[];
  streak?: Partial<FormulaParams['streak']>;
  authenticity?: Partial<FormulaParams['authenticity']>;
  creditUnitsPerReferenceHour?: number;
  levelXp?: number;
}

export interface PolicyRequest {
  formula?: FormulaChanges;
  split?: Fund;
}

/** A request that is well-formed but describes an impossible policy. */
export class PolicyInputError extends Error {
  override name = 'PolicyInputError';
}

/** FORMULA_V1 with `changes` applied; throws PolicyInputError for inconsistent parameters. */
export function applyChanges(changes: FormulaChanges = {}): FormulaParams {
  const p: FormulaParams = {
    duration: { ...FORMULA_V1.duration, ...changes.duration },
    community: { ...FORMULA_V1.community, ...changes.community },
    level: { ...FORMULA_V1.level, ...changes.level },
    difficultyBps: changes.difficultyBps ?? FORMULA_V1.difficultyBps,
    streak: { ...FORMULA_V1.streak, ...changes.streak },
    authenticity: { ...FORMULA_V1.authenticity, ...changes.authenticity },
    creditUnitsPerReferenceHour: changes.creditUnitsPerReferenceHour ?? FORMULA_V1.creditUnitsPerReferenceHour,
    levelXp: changes.levelXp ?? FORMULA_V1.levelXp,
    fund: { ...FORMULA_V1.fund },
  };
  if (p.duration.minBps > p.duration.maxBps) throw new PolicyInputError(`duration.minBps (${p.duration.minBps}) is above duration.maxBps (${p.duration.maxBps})`);
  return p;
}

function checkSplit(s: Fund): void {
  const sum = s.localBps + s.nationalBps + s.globalBps;
  if (sum !== 10_000) throw new PolicyInputError(`split: localBps + nationalBps + globalBps must be 10000, got ${sum}`);
}

interface Tally { entries: number; xp: bigint; heart: bigint; creditUnits: bigint }
const tally = (): Tally => ({ entries: 0, xp: 0n, heart: 0n, creditUnits: 0n });
const add = (t: Tally, xp: number, heart: bigint, creditUnits: bigint) => {
  t.entries++;
  t.xp += BigInt(xp);
  t.heart += heart;
  t.creditUnits += creditUnits;
};

const signedCredits = (units: bigint) => (units < 0n ? `-${creditsDecimal(-units)}` : creditsDecimal(units));
const perCredit = (amount: bigint, scale: number, creditUnits: bigint) =>
  creditUnits > 0n ? Number(amount) / scale / (Number(creditUnits) / 10_000) : null;

/** JSON view of a tally: Heart in wei and funding in stablecoin base units as integer strings, credits with 4 decimals. */
function figures(t: Tally, funding: bigint) {
  return {
    entries: t.entries, xp: t.xp.toString(), heart: t.heart.toString(), impactCredits: signedCredits(t.creditUnits), funding: funding.toString(),
    heartPerImpactCredit: perCredit(t.heart, 1e18, t.creditUnits),
    fundingPerImpactCredit: perCredit(funding, 1, t.creditUnits),
  };
}
const change = (a: Tally, s: Tally) => ({ xp: (s.xp - a.xp).toString(), heart: (s.heart - a.heart).toString(), impactCredits: signedCredits(s.creditUnits - a.creditUnits) });

const share = (heart: bigint, f: Fund, b: Bucket) => (heart * BigInt(b === 'local' ? f.localBps : b === 'national' ? f.nationalBps : f.globalBps)) / 10_000n;

export async function simulatePolicy(pool: pg.Pool, request: PolicyRequest) {
  const params = applyChanges(request.formula);
  if (request.split) checkSplit(request.split);
  const split = request.split;

  const actual = tally(), simulated = tally();
  const zones = new Map<string, { actual: Tally; simulated: Tally }>();
  const ledgerActual = { local: 0n, national: 0n, global: 0n };
  const ledgerSimulated = { local: 0n, national: 0n, global: 0n };
  let v1Entries = 0, reproduced = 0;
  await replayLedger(pool, params, (e) => {
    add(actual, e.actual.xp, e.actual.heart, e.actual.creditUnits);
    add(simulated, e.simulated.xp, e.simulated.heart, e.simulated.creditUnits);
    const z = zones.get(e.zoneId) ?? { actual: tally(), simulated: tally() };
    add(z.actual, e.actual.xp, e.actual.heart, e.actual.creditUnits);
    add(z.simulated, e.simulated.xp, e.simulated.heart, e.simulated.creditUnits);
    zones.set(e.zoneId, z);
    for (const b of BUCKETS) {
      ledgerActual[b] += share(e.actual.heart, e.actual.fund, b);
      ledgerSimulated[b] += share(e.simulated.heart, split ?? e.actual.fund, b);
    }
    if (e.reproduced !== null) {
      v1Entries++;
      if (e.reproduced) reproduced++;
    }
  });

  const funding = await readFunding(pool);
  const poolSimulated = split ? funding.resplit(split) : funding.funded;
  const names = new Map((await pool.query<{ id: string; name: string; country_code: string }>(
    'SELECT id::text AS id, name, country_code FROM zones WHERE id = ANY($1::uuid[])', [[...zones.keys()]])).rows.map((r) => [r.id, r]));

  return {
    formula: { baseVersion: FORMULA_VERSION, parameters: { ...params, creditUnitsPerReferenceHour: Number(params.creditUnitsPerReferenceHour) } },
    split: split ?? null,
    replayCheck: { entries: actual.entries, formulaV1Entries: v1Entries, reproduced },
    totals: { actual: figures(actual, funding.total), simulated: figures(simulated, funding.total), change: change(actual, simulated) },
    buckets: BUCKETS.map((bucket) => ({
      bucket,
      actual: { ledgerAllocation: ledgerActual[bucket].toString(), poolFunded: funding.funded[bucket].toString(), poolDisbursed: funding.disbursed[bucket].toString(), poolBalance: (funding.funded[bucket] - funding.disbursed[bucket]).toString() },
      simulated: { ledgerAllocation: ledgerSimulated[bucket].toString(), poolFunded: poolSimulated[bucket].toString(), poolDisbursed: funding.disbursed[bucket].toString(), poolBalance: (poolSimulated[bucket] - funding.disbursed[bucket]).toString() },
    })),
    byZone: [...zones].map(([zoneId, z]) => {
      const n = names.get(zoneId);
      const zoneFunding = funding.byZone.get(zoneId) ?? 0n;
      return {
        zoneId, name: n?.name ?? '', countryCode: (n?.country_code ?? '').trim(),
        actual: figures(z.actual, zoneFunding), simulated: figures(z.simulated, zoneFunding), change: change(z.actual, z.simulated),
      };
    }).sort((a, b) => (BigInt(b.actual.heart) > BigInt(a.actual.heart) ? 1 : BigInt(b.actual.heart) < BigInt(a.actual.heart) ? -1 : a.zoneId.localeCompare(b.zoneId))),
  };
}

export type PolicyResult = Awaited<ReturnType<typeof simulatePolicy>>;
