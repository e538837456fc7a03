import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { FEATURE_NAMES, features } from '../features.ts';
import { runRules } from '../rules/index.ts';
import { score } from '../score.ts';
import { simulate } from '../sim/simulate.ts';
import { TFJS_NODE, useBackend, useInferenceBackend } from './backend.ts';
import { rocAuc } from './eval.ts';
import { loadWeights, modelVersion, predict, WEIGHTS_URL } from './net.ts';

describe('model', () => {
  const w = loadWeights();
  const samples = simulate(400, 77);
  const rows = samples.map((s) => features(s.ctx));

  it('has committed weights for the current features, versioned by their SHA-256', () => {
    assert.equal(w.features.length, FEATURE_NAMES.length);
    assert.match(modelVersion(w), /^[0-9a-f]{64}$/);
    assert.equal(modelVersion(JSON.parse(readFileSync(WEIGHTS_URL, 'utf8'))), modelVersion(w));
    assert.ok(readFileSync(WEIGHTS_URL).length < 50_000);
  });

  it('scores the same on the cpu and wasm backends (within 1e-5)', async () => {
    await useBackend('cpu');
    assert.equal(tf.getBackend(), 'cpu');
    const cpu = predict(w, rows);
    await useBackend('wasm');
    assert.equal(tf.getBackend(), 'wasm');
    const wasm = predict(w, rows);
    assert.equal(cpu.length, rows.length);
    for (let i = 0; i < cpu.length; i++) assert.ok(Math.abs((cpu[i] ?? 0) - (wasm[i] ?? 1)) < 1e-5, `row ${i}: ${cpu[i]} vs ${wasm[i]}`);
  });

  it('infers on tfjs-node when it loads, else on wasm, with the same scores as cpu', async () => {
    await useBackend('cpu');
    const cpu = predict(w, rows);
    const loads: string[] = [];
    const absent = await useInferenceBackend(async (s) => {
      loads.push(s);
      throw Object.assign(new Error(`Cannot find package '${s}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    });
    assert.deepEqual(loads, [TFJS_NODE]);
    assert.deepEqual(absent, { name: 'wasm', fallbackReason: `Cannot find package '${TFJS_NODE}'` });
    // A package that loads but registers no working backend also falls back.
    const broken = await useInferenceBackend(async () => undefined);
    assert.equal(broken.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    // Whatever this machine has installed, the chosen backend scores like cpu.
    const chosen = await useInferenceBackend();
    assert.equal(tf.getBackend(), chosen.name);
    const scores = predict(w, rows);
    for (let i = 0; i < cpu.length; i++) assert.ok(Math.abs((cpu[i] ?? 0) - (scores[i] ?? 1)) < 1e-5, `row ${i} on ${chosen.name}`);
  });

  it('separates simulated cheats from honest proofs (AUC > 0.97) and the ensemble keeps false positives low', async () => {
    await useBackend('wasm');
    const p = predict(w, rows);
    const positive = samples.map((s) => s.label !== 'honest');
    assert.ok(rocAuc(p, positive) > 0.97, String(rocAuc(p, positive)));
    const decisions = samples.map((s, i) => score(runRules(s.ctx), p[i] ?? 1).decision);
    const honest = decisions.filter((_, i) => !positive[i]);
    const cheats = decisions.filter((_, i) => positive[i]);
    assert.ok(honest.filter((d) => d !== 'approve').length / honest.length < 0.05);
    assert.ok(cheats.filter((d) => d !== 'approve').length / cheats.length > 0.9);
  });

  it('rocAuc: perfect, inverted and tied rankings', () => {
    assert.equal(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true]), 1);
    assert.equal(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true]), 0);
    assert.equal(rocAuc([0.5, 0.5], [false, true]), 0.5);
  });
});

describe('score', () => {
  const pass = { name: 'geofence', passed: true, severity: 'hard' as const, detail: '' };
  const hardFail = { ...pass, passed: false };
  const softFail = { name: 'burst', passed: false, severity: 'soft' as const, detail: '' };

  it('approves a clean proof the model trusts', () => {
    const s = score([pass], 0.05);
    assert.equal(s.decision, 'approve');
    assert.equal(s.authenticity, 95);
    assert.deepEqual(s.flags, []);
    assert.ok(s.confidence > 0.8);
  });
  it('never approves a hard flag: review when the model trusts it, reject when it does not', () => {
    assert.equal(score([hardFail], 0.01).decision, 'review');
    assert.equal(score([hardFail], 0.9).decision, 'reject');
    assert.deepEqual(score([softFail, hardFail], 0.01).flags, ['hard:geofence', 'soft:burst']);
  });
  it('rejects what the model is sure of, reviews the middle', () => {
    assert.equal(score([pass], 0.95).decision, 'reject');
    assert.equal(score([pass], 0.7).decision, 'review');
    assert.ok(score([softFail], 0.1).authenticity < score([pass], 0.1).authenticity);
    assert.equal(score([pass], Number.NaN).decision, 'reject');
  });
});
