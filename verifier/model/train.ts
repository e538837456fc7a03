import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { FEATURE_NAMES, features } from '../features.ts';
import { simulate } from '../sim/simulate.ts';
import { useBackend } from './backend.ts';
import { type DenseLayer, modelVersion, WEIGHTS_URL, type Weights } from './net.ts';

export const TRAIN_SEED = 1;
const round = (v: number) => Math.round(v * 1e6) / 1e6;

/** Trains the dense model on simulated proofs (cpu backend) and returns its weights. */
export async function train(n = 24_000, epochs = 40, seed = TRAIN_SEED): Promise<Weights> {
  await useBackend('cpu');
  const samples = simulate(n, seed);
  const rows = samples.map((s) => features(s.ctx));
  const labels = samples.map((s) => (s.label === 'honest' ? 0 : 1));
  const dims = FEATURE_NAMES.length;
  const mean = Array.from({ length: dims }, (_, j) => rows.reduce((a, r) => a + (r[j] ?? 0), 0) / rows.length);
  const std = mean.map((m, j) => Math.sqrt(rows.reduce((a, r) => a + ((r[j] ?? 0) - m) ** 2, 0) / rows.length) || 1);
  const x = tf.tensor2d(rows).sub(tf.tensor1d(mean)).div(tf.tensor1d(std));
  const y = tf.tensor2d(labels, [labels.length, 1]);
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed * 100 + s });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [dims], units: 24, activation: 'relu', kernelInitializer: init(1) }),
      tf.layers.dense({ units: 12, activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(3) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.005), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await model.fit(x, y, {
    epochs,
    batchSize: 256,
    shuffle: true,
    verbose: 0,
    callbacks: { onEpochEnd: (e, logs) => void (e % 10 === 9 && console.log(`epoch ${e + 1}: loss ${logs?.loss?.toFixed(4)} acc ${logs?.acc?.toFixed(4)}`)) },
  });
  const layers: DenseLayer[] = model.layers.map((l, i) => {
    const [k, b] = l.getWeights();
    if (!k || !b) throw new Error('dense layer without weights');
    const [inputs, units] = k.shape as [number, number];
    return { inputs, units, activation: i === model.layers.length - 1 ? 'sigmoid' : 'relu', kernel: Array.from(k.dataSync(), round), bias: Array.from(b.dataSync(), round) };
  });
  tf.dispose([x, y]);
  model.dispose();
  return { features: [...FEATURE_NAMES], mean: mean.map(round), std: std.map(round), layers };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const w = await train();
  writeFileSync(WEIGHTS_URL, `${JSON.stringify(w)}\n`);
  console.log(`wrote ${WEIGHTS_URL.pathname} — model version ${modelVersion(w)}`);
}
