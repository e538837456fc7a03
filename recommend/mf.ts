import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../verifier/model/backend.ts';
import { Rng } from '../verifier/sim/prng.ts';
import { haversineM } from '../verifier/geo.ts';
import { CATEGORIES, type Completion, type GeoPoint, type MissionRow } from './history.ts';

/**
 * Implicit-feedback matrix factorisation: Bayesian Personalised Ranking
 * (Rendle et al. 2009) with item biases, trained with TF.js on the cpu
 * backend. Each step samples, for a completion (u, i), a mission j the player
 * has not completed and pushes score(u, i) above score(u, j).
 */

/**
 * `tf.gather` whose gradient is one scatter-add: the cpu backend's own gather
 * gradient loops over every row of the table, which makes BPR crawl.
 */
function rows(table: tf.Tensor, idx: tf.Tensor1D): tf.Tensor2D {
  const f = tf.customGrad(((t: tf.Tensor) => ({
    value: tf.gather(t, idx),
    gradFunc: (dy: tf.Tensor) => tf.scatterND(idx.expandDims(1), dy, t.shape),
  })) as Parameters<typeof tf.customGrad>[0]);
  return f(table) as tf.Tensor2D;
}

export interface MfOptions {
  factors?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  l2?: number;
  seed?: number;
  /**
   * Every mission: each gets a vector (those nobody completed yet too), a mission's vector is its
   * own plus its category's (shared, so tastes for a category carry over), and half the
   * negatives are drawn from the positive's NEIGHBOURS nearest missions (so the factors learn
   * taste rather than geography).
   */
  missions?: Map<string, MissionRow>;
}

const NEIGHBOURS = 30;

/** The nearest missions of each item (by index), for location-aware negative sampling. */
function neighbourLists(items: Map<string, number>, locations: Map<string, GeoPoint>): number[][] {
  const pts = [...items].map(([id, i]) => ({ i, p: locations.get(id) }));
  return pts.map(({ p }) => (p ? pts.filter((q) => q.p).map((q) => ({ i: q.i, d: haversineM(p, q.p as GeoPoint) })).sort((a, b) => a.d - b.d).slice(1, NEIGHBOURS + 1).map((q) => q.i) : []));
}

export interface MfModel {
  users: Map<string, number>;
  items: Map<string, number>;
  factors: number;
  userVecs: Float32Array;
  itemVecs: Float32Array;
  itemBias: Float32Array;
}

/** Fits BPR on completions; players and missions that never appear get no vectors. */
export async function trainMf(completions: readonly Completion[], opts: MfOptions = {}): Promise<MfModel> {
  const { factors = 16, epochs = 25, batchSize = 512, learningRate = 0.03, l2 = 1e-4, seed = 7 } = opts;
  await useBackend('cpu');
  const users = new Map<string, number>();
  const items = new Map<string, number>();
  const pairs: [number, number][] = [];
  const seen = new Set<string>();
  for (const c of completions) {
    if (!users.has(c.playerId)) users.set(c.playerId, users.size);
    if (!items.has(c.missionId)) items.set(c.missionId, items.size);
    const u = users.get(c.playerId) as number;
    const i = items.get(c.missionId) as number;
    if (seen.has(`${u}|${i}`)) continue;
    seen.add(`${u}|${i}`);
    pairs.push([u, i]);
  }
  for (const id of opts.missions?.keys() ?? []) if (!items.has(id)) items.set(id, items.size);
  const nU = Math.max(users.size, 1);
  const nI = Math.max(items.size, 1);
  const U = tf.variable(tf.randomNormal([nU, factors], 0, 0.1, 'float32', seed));
  const V = tf.variable(tf.randomNormal([nI, factors], 0, 0.1, 'float32', seed + 1));
  const B = tf.variable(tf.zeros([nI]));
  const C = tf.variable(tf.zeros([CATEGORIES.length, factors]));
  const categoryOf = new Int32Array(nI);
  for (const [id, i] of items) categoryOf[i] = Math.max(0, CATEGORIES.indexOf(opts.missions?.get(id)?.type ?? CATEGORIES[0]));
  const item = (idx: tf.Tensor1D, cat: tf.Tensor1D) => tf.add(rows(V, idx), rows(C, cat));
  const optimizer = tf.train.adam(learningRate);
  const r = new Rng(seed);
  const near = opts.missions ? neighbourLists(items, opts.missions) : [];
  if (pairs.length && nI > 1) {
    for (let e = 0; e < epochs; e++) {
      for (let k = pairs.length - 1; k > 0; k--) {
        const j = r.int(0, k);
        [pairs[k], pairs[j]] = [pairs[j] as [number, number], pairs[k] as [number, number]];
      }
      for (let s = 0; s < pairs.length; s += batchSize) {
        const batch = pairs.slice(s, s + batchSize);
        const neg = batch.map(([u, i]) => {
          const around = near[i] ?? [];
          let j = i;
          // For a player who completed (nearly) everything, give up after a few tries: a pair of two
          // positives only adds a little noise, and j = i has no gradient.
          for (let tries = 0; tries < 20; tries++) {
            j = around.length && r.chance(0.5) ? (around[r.int(0, around.length - 1)] as number) : r.int(0, nI - 1);
            if (!seen.has(`${u}|${j}`)) break;
          }
          return j;
        });
        const ui = tf.tensor1d(batch.map((p) => p[0]), 'int32');
        const ii = tf.tensor1d(batch.map((p) => p[1]), 'int32');
        const jj = tf.tensor1d(neg, 'int32');
        const ci = tf.tensor1d(batch.map((p) => categoryOf[p[1]] ?? 0), 'int32');
        const cj = tf.tensor1d(neg.map((j) => categoryOf[j] ?? 0), 'int32');
        optimizer.minimize(() => {
          const u = rows(U, ui);
          const vi = item(ii, ci);
          const vj = item(jj, cj);
          const b = tf.reshape(B, [nI, 1]);
          const x = tf.sum(tf.mul(u, tf.sub(vi, vj)), 1).add(rows(b, ii).reshape([-1])).sub(rows(b, jj).reshape([-1]));
          const reg = tf.add(tf.sum(tf.square(u)), tf.add(tf.sum(tf.square(vi)), tf.sum(tf.square(vj)))).mul(l2);
          // −log σ(x) = softplus(−x) (tf.logSigmoid has a broken gradient on the cpu backend)
          return tf.mean(tf.softplus(tf.neg(x))).add(reg) as tf.Scalar;
        });
        tf.dispose([ui, ii, jj, ci, cj]);
      }
    }
  }
  const itemVecs = V.dataSync() as Float32Array;
  const categoryVecs = C.dataSync();
  for (let i = 0; i < nI; i++) for (let k = 0; k < factors; k++) itemVecs[i * factors + k] = (itemVecs[i * factors + k] ?? 0) + (categoryVecs[(categoryOf[i] ?? 0) * factors + k] ?? 0);
  const model: MfModel = {
    users, items, factors,
    userVecs: U.dataSync() as Float32Array,
    itemVecs,
    itemBias: B.dataSync() as Float32Array,
  };
  tf.dispose([U, V, B, C]);
  optimizer.dispose();
  return model;
}

/** Collaborative score of a mission for a player; NaN when either was not in the training data. */
export function mfScore(m: MfModel, playerId: string, missionId: string): number {
  const u = m.users.get(playerId);
  const i = m.items.get(missionId);
  if (u === undefined || i === undefined) return Number.NaN;
  let s = m.itemBias[i] ?? 0;
  for (let k = 0; k < m.factors; k++) s += (m.userVecs[u * m.factors + k] ?? 0) * (m.itemVecs[i * m.factors + k] ?? 0);
  return s;
}

/** Cosine similarity of two players' vectors (0 when either is unknown). */
export function userSimilarity(m: MfModel, a: string, b: string): number {
  const ua = m.users.get(a);
  const ub = m.users.get(b);
  if (ua === undefined || ub === undefined) return 0;
  let dot = 0, na = 0, nb = 0;
  for (let k = 0; k < m.factors; k++) {
    const x = m.userVecs[ua * m.factors + k] ?? 0;
    const y = m.userVecs[ub * m.factors + k] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
