import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../verifier/model/backend.ts';
import { candidates, FEATURE_NAMES, pairFeatures } from './features.ts';
import { choiceFeature, fitChoiceModel } from './choice.ts';
import { mfScore, trainMf } from './mf.ts';
import { DEV_SEED } from './eval.ts';
import { ndcgAt } from './metrics.ts';
import { COLD_FEATURES, SCORER_URL, type ScorerWeights, scorerVersion, standardise } from './scorer.ts';
import { simulateWorld } from './sim.ts';
import { timeSplit } from './split.ts';

/** The world the scorer learns on; evaluation uses another seed. */
export const TRAIN_SEED = 1;
const round = (v: number) => Math.round(v * 1e5) / 1e5;

/**
 * Learns the hybrid scorer's weights on a simulated world: the per-player choice
 * model and BPR, fitted on the completions before the cutoff, give two features, and a
 * conditional-logit model (TF.js, a softmax over each player's offerable
 * missions) learns how much each feature predicts which ones they complete after it.
 * Every weight but the choice model's is shrunk toward zero (L2); how much is chosen
 * on the development world, where the features' gain over the choice model must hold up.
 */
interface List { rows: number[][]; labels: number[] }

/** L2 penalties tried on the weights other than the choice model's. */
const L2_GRID = [0, 0.01, 0.1, 1, 10];
const CHOICE = FEATURE_NAMES.indexOf('choice');

/**
 * Listwise (conditional logit) fit of linear weights over the `use`d features: each player's
 * candidates padded to one width, a softmax over them; the loss is the log-likelihood of the
 * missions they went on to complete. The bias makes the mean probability the completion rate.
 */
async function fitListwise(lists: List[], draft: ScorerWeights, use: boolean[], l2: number): Promise<{ weights: number[]; bias: number }> {
  const dims = FEATURE_NAMES.length;
  const z = (r: number[]) => standardise(draft, r).map((v, k) => (use[k] ? v : 0));
  const width = Math.max(...lists.map((l) => l.rows.length));
  await useBackend('cpu');
  const x = tf.tensor3d(lists.map((l) => Array.from({ length: width }, (_, c) => (l.rows[c] ? z(l.rows[c]) : FEATURE_NAMES.map(() => 0)))));
  const mask = tf.tensor2d(lists.map((l) => Array.from({ length: width }, (_, c) => (c < l.rows.length ? 0 : -1e9))));
  const y = tf.tensor2d(lists.map((l) => Array.from({ length: width }, (_, c) => l.labels[c] ?? 0)));
  const w = tf.variable(tf.zeros([dims, 1]));
  const penalised = tf.tensor2d(FEATURE_NAMES.map((_, k) => [k === CHOICE ? 0 : 1]));
  const optimizer = tf.train.adam(0.05);
  const positives = lists.reduce((a, l) => a + l.labels.reduce((s, v) => s + v, 0), 0);
  for (let step = 0; step < 300; step++) {
    optimizer.minimize(() => {
      const logits = tf.matMul(x.reshape([-1, dims]), w).reshape([lists.length, width]).add(mask);
      return tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)))).div(positives).add(tf.sum(tf.square(w.mul(penalised))).mul(l2)) as tf.Scalar;
    });
  }
  const weights = Array.from(w.dataSync(), (v, k) => (use[k] ? round(v) : 0));
  tf.dispose([x, mask, y, w, penalised]);
  optimizer.dispose();
  const all = lists.flatMap((l) => l.rows);
  const meanLogit = all.reduce((a, r) => a + z(r).reduce((s, v, k) => s + v * (weights[k] ?? 0), 0), 0) / all.length;
  return { weights, bias: round(Math.log(positives / (all.length - positives)) - meanLogit) };
}

/** Per player with held-out completions: the features of every candidate and whether it was completed after the cutoff. */
async function featureLists(seed: number): Promise<List[]> {
  const split = timeSplit(simulateWorld({ seed }));
  const mf = await trainMf(split.train.completions, { missions: split.ctx.missions });
  const choice = fitChoiceModel(split.ctx);
  const lists: List[] = [];
  for (const [playerId, relevant] of split.relevant) {
    const profile = split.ctx.profiles.get(playerId);
    if (!profile) continue;
    const ms = candidates(split.ctx, profile);
    lists.push({ rows: ms.map((m) => pairFeatures(split.ctx, profile, m, {
      choice: choiceFeature(choice, split.ctx, profile, m), mf: mfScore(mf, playerId, m.id),
    })), labels: ms.map((m) => (relevant.has(m.id) ? 1 : 0)) });
  }
  return lists;
}

/** Mean NDCG@10 of ranking each list by the linear scorer. */
function listNdcg(lists: List[], draft: ScorerWeights, weights: number[]): number {
  let sum = 0;
  for (const l of lists) {
    const order = l.rows.map((r, i) => ({ i, s: standardise(draft, r).reduce((a, v, k) => a + v * (weights[k] ?? 0), 0) })).sort((a, b) => b.s - a.s || a.i - b.i);
    sum += ndcgAt(order.slice(0, 10).map((o) => String(o.i)), new Set(l.labels.flatMap((v, i) => (v ? [String(i)] : []))), 10);
  }
  return sum / (lists.length || 1);
}

export async function trainScorer(seed = TRAIN_SEED, devSeed = DEV_SEED): Promise<ScorerWeights> {
  const lists = await featureLists(seed);
  const dev = await featureLists(devSeed);
  const all = lists.flatMap((l) => l.rows);
  const dims = FEATURE_NAMES.length;
  const mean: number[] = [];
  const std: number[] = [];
  for (let k = 0; k < dims; k++) {
    const v = all.map((r) => r[k] ?? Number.NaN).filter(Number.isFinite);
    const mu = v.reduce((a, b) => a + b, 0) / (v.length || 1);
    mean.push(round(mu));
    std.push(round(Math.sqrt(v.reduce((a, b) => a + (b - mu) ** 2, 0) / (v.length || 1)) || 1));
  }
  const draft: ScorerWeights = { features: [...FEATURE_NAMES], mean, std, weights: [], bias: 0, coldWeights: [], coldBias: 0 };
  let best = { l2: Number.NaN, ndcg: -1, warm: { weights: [] as number[], bias: 0 } };
  for (const l2 of L2_GRID) {
    const warm = await fitListwise(lists, draft, FEATURE_NAMES.map(() => true), l2);
    const ndcg = listNdcg(dev, draft, warm.weights);
    console.log(`L2 ${l2}: NDCG@10 on the development world (seed ${devSeed}) ${ndcg.toFixed(4)}`);
    if (ndcg > best.ndcg) best = { l2, ndcg, warm };
  }
  const { warm } = best;
  const cold = await fitListwise(lists, draft, FEATURE_NAMES.map((f) => COLD_FEATURES.includes(f)), best.l2);
  console.log(`kept L2 ${best.l2}`);
  const positives = lists.reduce((a, l) => a + l.labels.reduce((s, v) => s + v, 0), 0);
  console.log(`trained on ${all.length} pairs (${positives} completed) from ${lists.length} players`);
  return { ...draft, weights: warm.weights, bias: warm.bias, coldWeights: cold.weights, coldBias: cold.bias };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const w = await trainScorer();
  writeFileSync(SCORER_URL, `${JSON.stringify(w)}\n`);
  console.log(FEATURE_NAMES.map((f, k) => `  ${f.padEnd(18)} ${(w.weights[k] ?? 0).toFixed(3).padStart(7)}  cold ${(w.coldWeights[k] ?? 0).toFixed(3)}`).join('\n'));
  console.log(`wrote ${SCORER_URL.pathname} — scorer version ${scorerVersion(w)}`);
}
