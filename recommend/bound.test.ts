import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundRanker } from './bound.ts';
import { candidates } from './features.ts';
import { simulateWorld } from './sim.ts';
import { timeSplit } from './split.ts';

describe('the evaluation bound (simulator truth, players estimated)', () => {
  const opts = { seed: 11, players: 150, zonesPerCity: 4, days: 60 };

  it('recording the simulator\'s view of each choice leaves the world unchanged', () => {
    const plain = simulateWorld(opts);
    const recorded = simulateWorld({ ...opts, record: true });
    assert.equal(plain.truth, undefined);
    assert.deepEqual(recorded.history, plain.history);
    assert.equal(recorded.truth?.choices.length, plain.history.completions.length);
    for (const [k, c] of (recorded.truth?.choices ?? []).entries()) {
      assert.equal(c.chosen, plain.history.completions[k]?.missionId);
      assert.ok(c.options.some((o) => o.missionId === c.chosen));
    }
  });

  it('ranks every candidate once, best first, and refuses a world simulated without the record', () => {
    const world = simulateWorld({ ...opts, record: true });
    const split = timeSplit(world);
    const rank = boundRanker(world, split);
    for (const p of [...split.ctx.profiles.values()].slice(0, 30)) {
      const ids = rank(p);
      assert.deepEqual([...ids].sort(), candidates(split.ctx, p).map((m) => m.id).sort());
    }
    assert.throws(() => boundRanker(simulateWorld(opts), split), /record: true/);
  });

  it('can be told less: estimated mission effects, no latent vectors — still every candidate once, in another order', () => {
    const world = simulateWorld({ ...opts, record: true });
    const split = timeSplit(world);
    const full = boundRanker(world, split);
    const blind = boundRanker(world, split, { withoutLatent: true, missionEffect: () => 0 });
    let differs = 0;
    for (const p of [...split.ctx.profiles.values()].filter((q) => q.completions > 0).slice(0, 30)) {
      const ids = blind(p);
      assert.deepEqual([...ids].sort(), candidates(split.ctx, p).map((m) => m.id).sort());
      if (ids.join() !== full(p).join()) differs++;
    }
    assert.ok(differs > 10, `${differs} of 30 players ranked differently`);
  });
});
