import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { FEATURE_NAMES } from '../features.ts';

export interface DenseLayer {
  inputs: number;
  units: number;
  activation: 'relu' | 'sigmoid';
  /** Kernel, row-major [inputs][units]. */
  kernel: number[];
  bias: number[];
}

export interface Weights {
  features: string[];
  mean: number[];
  std: number[];
  layers: DenseLayer[];
}

export const WEIGHTS_URL = new URL('./weights.json', import.meta.url);

/** Model version: SHA-256 of the weights file's canonical JSON. */
export function modelVersion(w: Weights): string {
  return createHash('sha256').update(JSON.stringify(w)).digest('hex');
}

export function loadWeights(url: URL = WEIGHTS_URL): Weights {
  const w = JSON.parse(readFileSync(url, 'utf8')) as Weights;
  if (w.features.join(',') !== FEATURE_NAMES.join(',')) throw new Error('weights.json was trained on other features; run npm run verifier:train');
  return w;
}

/** Cheat probability of each feature row, on whatever TF.js backend is active. */
export function predict(w: Weights, rows: number[][]): number[] {
  if (rows.length === 0) return [];
  return tf.tidy(() => {
    let x: tf.Tensor2D = tf.tensor2d(rows).sub(tf.tensor1d(w.mean)).div(tf.tensor1d(w.std));
    for (const l of w.layers) {
      const z = tf.matMul(x, tf.tensor2d(l.kernel, [l.inputs, l.units])).add(tf.tensor1d(l.bias)) as tf.Tensor2D;
      x = l.activation === 'relu' ? tf.relu(z) : tf.sigmoid(z);
    }
    return Array.from(x.dataSync());
  });
}
