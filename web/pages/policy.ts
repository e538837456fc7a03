// Policy simulator (auditors and admins): edit impact-formula v1 parameters and the fund split,
// replay the ledger through POST /simulate/policy (read-only) and compare simulated with actual
// figures: totals, fund buckets and zones, with charts. The form starts at formula v1's values.
import { FORMULA_V1 } from '../../api/impact/formula.ts';
import { drawChart, heart, PALETTE } from './charts.ts';
import { el, table } from './dom.ts';
import { ApiError, apiPost, showLoadError } from './session.ts';

interface Figures { entries: number; xp: string; heart: string; impactCredits: string; funding: string; heartPerImpactCredit: number | null; fundingPerImpactCredit: number | null }
interface BucketFigures { ledgerAllocation: string; poolFunded: string; poolDisbursed: string; poolBalance: string }
interface PolicyResult {
  replayCheck: { entries: number; formulaV1Entries: number; reproduced: number };
  totals: { actual: Figures; simulated: Figures };
  buckets: { bucket: string; actual: BucketFigures; simulated: BucketFigures }[];
  byZone: { zoneId: string; name: string; countryCode: string; actual: Figures; simulated: Figures }[];
}

/** One editable integer: [group, key, label, default]; group '' is a top-level parameter, 'difficultyBps' an index. */
type Field = readonly [string, string, string, number];
const F = FORMULA_V1;
const FORMULA_FIELDS: readonly Field[] = [
  ['duration', 'referenceMinutes', 'reference minutes', F.duration.referenceMinutes],
  ['duration', 'minBps', 'duration min (bps)', F.duration.minBps],
  ['duration', 'maxBps', 'duration max (bps)', F.duration.maxBps],
  ['community', 'perWitnessBps', 'per witness (bps)', F.community.perWitnessBps],
  ['community', 'maxBonusBps', 'community max (bps)', F.community.maxBonusBps],
  ['level', 'perLevelBps', 'per level (bps)', F.level.perLevelBps],
  ['level', 'maxBonusBps', 'level max (bps)', F.level.maxBonusBps],
  ...F.difficultyBps.map((v, i): Field => ['difficultyBps', String(i), `difficulty ${i + 1} (bps)`, v]),
  ['streak', 'perDayBps', 'per streak day (bps)', F.streak.perDayBps],
  ['streak', 'maxBonusBps', 'streak max (bps)', F.streak.maxBonusBps],
  ['authenticity', 'floorBps', 'authenticity floor (bps)', F.authenticity.floorBps],
  ['', 'creditUnitsPerReferenceHour', 'credit units / reference hour', F.creditUnitsPerReferenceHour],
  ['', 'levelXp', 'level XP', F.levelXp],
];
const SPLIT_FIELDS: readonly Field[] = [
  ['split', 'localBps', 'Local (bps)', F.fund.localBps],
  ['split', 'nationalBps', 'National (bps)', F.fund.nationalBps],
  ['split', 'globalBps', 'Global (bps)', F.fund.globalBps],
];

const status = document.getElementById('status') as HTMLElement;
const errorLine = document.getElementById('error') as HTMLElement;
const form = document.getElementById('policy') as HTMLFormElement;
const fieldId = ([group, key]: Field) => (group ? `${group}-${key}` : key);

function buildForm(): void {
  const input = (f: Field) => el('label', {}, f[2], el('input', { id: fieldId(f), type: 'number', step: '1', min: '0', value: String(f[3]), required: '' }));
  form.replaceChildren(
    el('fieldset', {}, el('legend', {}, 'Impact formula (v1 values)'), ...FORMULA_FIELDS.map(input)),
    el('fieldset', {}, el('legend', {}, 'Fund split (sum 10000)'), ...SPLIT_FIELDS.map(input)),
    el('button', { type: 'submit', id: 'run' }, 'Run simulation'),
  );
}

const value = (f: Field) => Number((document.getElementById(fieldId(f)) as HTMLInputElement).value);

/** The request: every formula parameter that differs from v1, and the split. */
function request(): { formula: Record<string, unknown>; split: Record<string, number> } {
  const formula: Record<string, unknown> = {};
  for (const f of FORMULA_FIELDS) {
    const [group, key, , initial] = f;
    if (group === 'difficultyBps') continue;
    if (value(f) === initial) continue;
    if (group) formula[group] = { ...(formula[group] as object | undefined), [key]: value(f) };
    else formula[key] = value(f);
  }
  const difficulty = FORMULA_FIELDS.filter((f) => f[0] === 'difficultyBps');
  if (difficulty.some((f) => value(f) !== f[3])) formula.difficultyBps = difficulty.map(value);
  return { formula, split: Object.fromEntries(SPLIT_FIELDS.map((f) => [f[1], value(f)])) };
}

const fmt = (n: number | null) => (n === null ? '—' : n.toLocaleString(undefined, { maximumFractionDigits: 4 }));
/** [actual, simulated] cells, the simulated one marked when it differs; ids `act-<name>` / `sim-<name>` when named. */
function pair(actual: string, simulated: string, name?: string): HTMLElement[] {
  const sim = el('td', simulated === actual ? {} : { class: 'changed' }, simulated);
  const act = el('td', {}, actual);
  if (name) {
    act.id = `act-${name}`;
    sim.id = `sim-${name}`;
  }
  return [act, sim];
}
function render(r: PolicyResult): void {
  const { actual: a, simulated: s } = r.totals;
  const credits = (x: Figures) => fmt(Number(x.impactCredits));
  table('totals', ['figure', 'actual', 'simulated'], [
    ['Heart minted', ...pair(fmt(heart(a.heart)), fmt(heart(s.heart)), 'heart')],
    ['impact credits', ...pair(credits(a), credits(s), 'impactCredits')],
    ['XP', ...pair(Number(a.xp).toLocaleString(), Number(s.xp).toLocaleString(), 'xp')],
    ['cost per impact credit (stablecoin base units)', ...pair(fmt(a.fundingPerImpactCredit), fmt(s.fundingPerImpactCredit), 'fundingPerImpactCredit')],
    ['Heart per impact credit', ...pair(fmt(a.heartPerImpactCredit), fmt(s.heartPerImpactCredit), 'heartPerImpactCredit')],
  ]);
  table('buckets', ['bucket', 'Heart allocated (actual)', 'Heart allocated (simulated)', 'pool balance (actual)', 'pool balance (simulated)'], r.buckets.map((b) => [
    b.bucket,
    ...pair(fmt(heart(b.actual.ledgerAllocation)), fmt(heart(b.simulated.ledgerAllocation)), `alloc-${b.bucket}`),
    ...pair(b.actual.poolBalance, b.simulated.poolBalance, `balance-${b.bucket}`),
  ]));
  table('zones', ['zone', 'impact credits (actual)', 'impact credits (simulated)', 'Heart (actual)', 'Heart (simulated)', 'cost per credit (actual)', 'cost per credit (simulated)'], r.byZone.map((z) => [
    `${z.name} (${z.countryCode})`,
    ...pair(credits(z.actual), credits(z.simulated)),
    ...pair(fmt(heart(z.actual.heart)), fmt(heart(z.simulated.heart))),
    ...pair(fmt(z.actual.fundingPerImpactCredit), fmt(z.simulated.fundingPerImpactCredit)),
  ]));
  const zones = r.byZone.slice(0, 15);
  drawChart('zonesChart', {
    type: 'bar',
    data: {
      labels: zones.map((z) => z.name),
      datasets: [
        { label: 'actual', data: zones.map((z) => Number(z.actual.impactCredits)), backgroundColor: PALETTE[7] },
        { label: 'simulated', data: zones.map((z) => Number(z.simulated.impactCredits)), backgroundColor: PALETTE[1] },
      ],
    },
  });
  drawChart('bucketsChart', {
    type: 'bar',
    data: {
      labels: r.buckets.map((b) => b.bucket),
      datasets: [
        { label: 'actual', data: r.buckets.map((b) => Number(b.actual.poolBalance)), backgroundColor: PALETTE[7] },
        { label: 'simulated', data: r.buckets.map((b) => Number(b.simulated.poolBalance)), backgroundColor: PALETTE[1] },
      ],
    },
  });
  const c = r.replayCheck;
  status.textContent = `Simulated ${new Date().toLocaleString()} · ${c.entries} ledger entries replayed; the unchanged formula reproduces ${c.reproduced} of ${c.formulaV1Entries} v1 entries`;
}

async function run(): Promise<void> {
  errorLine.textContent = '';
  const button = document.getElementById('run') as HTMLButtonElement;
  button.disabled = true;
  try {
    render(await apiPost<PolicyResult>('/simulate/policy', request()));
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) errorLine.textContent = `${err.code}: ${err.message}`;
    else showLoadError(status, err, 'an auditor or admin');
  } finally {
    button.disabled = false;
  }
}

buildForm();
form.addEventListener('submit', (e) => {
  e.preventDefault();
  void run();
});
void run();
