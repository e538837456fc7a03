import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { threadId } from 'node:worker_threads';
import { fitChoiceModel } from './choice.ts';
import { buildContext } from './features.ts';
import { fitInWorker } from './fit-in-worker.ts';
import { trainMf } from './mf.ts';
import { simulateWorld } from './sim.ts';

describe('recommender fits in a worker thread (real TF.js)', () => {
  const world = simulateWorld({ seed: 11, players: 150, zonesPerCity: 4, days: 60 });
  const history = world.history;
  const asOf = world.start + world.days * 86_400_000 + 1;

  it('returns exactly the context and models fitted in-process, computed in another thread', async () => {
    // In-process, as the Recommender used to fit them.
    const ctx = buildContext(history, asOf);
    const mf = await trainMf(history.completions, { missions: ctx.missions });
    const choice = fitChoiceModel(ctx);

    const out = await fitInWorker({ history, asOf, refit: true });
    assert.notEqual(out.threadId, threadId);
    assert.ok(out.models?.mf && out.models.choice);
    assert.ok(out.models.mf.userVecs instanceof Float32Array && out.models.choice.q instanceof Float64Array);
    assert.ok(out.models.mf.userVecs.length > 0 && out.models.choice.choices > 100);
    assert.deepStrictEqual(out.models.mf, mf);
    assert.deepStrictEqual(out.models.choice, choice);
    assert.deepStrictEqual(out.ctx, ctx);
  });

  it('without a refit only builds the context', async () => {
    const out = await fitInWorker({ history, asOf, refit: false });
    assert.equal(out.models, null);
    assert.equal(out.ctx.profiles.size, history.players.length);
  });

  it('an empty history fits no models', async () => {
    const out = await fitInWorker({ history: { ...history, completions: [] }, asOf, refit: true });
    assert.deepStrictEqual(out.models, { mf: null, choice: null });
  });

  it('a throw in the worker rejects the fit with the worker\'s message', async () => {
    const broken = { ...history, completions: 'not a list' as unknown as typeof history.completions };
    await assert.rejects(fitInWorker({ history: broken, asOf, refit: true }), (err: Error) => {
      assert.match(err.message, /^recommender refit failed in its worker thread: .*filter is not a function/);
      assert.ok(err.cause instanceof Error);
      return true;
    });
  });
});
