import { features } from '../features.ts';
import { runRules } from '../rules/index.ts';
import { score } from '../score.ts';
import { CHEATS, type Label, simulate } from '../sim/simulate.ts';
import { useBackend } from './backend.ts';
import { loadWeights, modelVersion, predict } from './net.ts';

export const EVAL_SEED = 2;

/** ROC-AUC by the rank-sum (Mann–Whitney) statistic, ties counted half. */
export function rocAuc(scores: number[], positive: boolean[]): number {
  const idx = scores.map((s, i) => ({ s, p: positive[i] ?? false })).sort((a, b) => a.s - b.s);
  let rankSum = 0;
  let nPos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j < idx.length && idx[j]?.s === idx[i]?.s) j++;
    const avg = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (idx[k]?.p) {
      rankSum += avg;
      nPos++;
    }
    i = j;
  }
  const nNeg = idx.length - nPos;
  return nPos && nNeg ? (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg) : Number.NaN;
}

export interface Row {
  method: string;
  precision: number;
  recall: number;
  f1: number;
  fpr: number;
  auc: number;
  perCheat: Record<string, number>;
}

function metrics(method: string, labels: Label[], flagged: boolean[], suspicion: number[]): Row {
  const pos = labels.map((l) => l !== 'honest');
  let tp = 0, fp = 0, fn = 0, tn = 0;
  pos.forEach((p, i) => (p ? (flagged[i] ? tp++ : fn++) : flagged[i] ? fp++ : tn++));
  const precision = tp / (tp + fp || 1);
  const recall = tp / (tp + fn || 1);
  const perCheat: Record<string, number> = {};
  for (const c of CHEATS) {
    const ix = labels.flatMap((l, i) => (l === c ? [i] : []));
    perCheat[c] = ix.filter((i) => flagged[i]).length / (ix.length || 1);
  }
  return { method, precision, recall, f1: (2 * precision * recall) / (precision + recall || 1), fpr: fp / (fp + tn || 1), auc: rocAuc(suspicion, pos), perCheat };
}

/** Rules alone, model alone and the ensemble on a held-out simulated set (a seed the model never saw). */
export async function evaluate(n = 20_000, seed = EVAL_SEED, backend: 'cpu' | 'wasm' = 'wasm'): Promise<{ rows: Row[]; version: string; n: number }> {
  await useBackend(backend);
  const w = loadWeights();
  const samples = simulate(n, seed);
  const labels = samples.map((s) => s.label);
  const rules = samples.map((s) => runRules(s.ctx));
  const p = predict(w, samples.map((s) => features(s.ctx)));
  const ruleSuspicion = rules.map((rs) => rs.reduce((a, r) => a + (r.passed ? 0 : r.severity === 'hard' ? 1 : 0.3), 0));
  const ruleFlag = rules.map((rs) => rs.some((r) => !r.passed && r.severity === 'hard') || rs.filter((r) => !r.passed).length >= 2);
  const scores = rules.map((rs, i) => score(rs, p[i] ?? 1));
  return {
    version: modelVersion(w),
    n,
    rows: [
      metrics('rules', labels, ruleFlag, ruleSuspicion),
      metrics('rules-any', labels, rules.map((rs) => rs.some((r) => !r.passed)), ruleSuspicion),
      metrics('model', labels, p.map((v) => v >= 0.5), p),
      metrics('ensemble', labels, scores.map((s) => s.decision !== 'approve'), scores.map((s) => 100 - s.authenticity)),
    ],
  };
}

export function formatTable({ rows, version, n }: Awaited<ReturnType<typeof evaluate>>): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`.padStart(7);
  const head = ['method    ', 'precision', ' recall', '    F1', '   FPR', '  AUC ', ...CHEATS.map((c) => c.padStart(9))].join(' ');
  const lines = rows.map((r) =>
    [r.method.padEnd(10), pct(r.precision).padStart(9), pct(r.recall), pct(r.f1).slice(1), pct(r.fpr).slice(1), r.auc.toFixed(4), ...CHEATS.map((c) => pct(r.perCheat[c] ?? 0).padStart(9))].join(' '),
  );
  return [`held-out simulated proofs: ${n} (seed ${EVAL_SEED}); model ${version.slice(0, 16)}…; per-cheat columns are recall; rules = a hard flag or ≥ 2 soft, rules-any = any failed rule`, head, ...lines].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatTable(await evaluate()));
}
