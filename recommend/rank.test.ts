import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CHOICE_KM, type ChoiceModel, choiceUtility, fitChoiceModel } from './choice.ts';
import { adviseDifficulty } from './difficulty.ts';
import { candidates, distanceKm } from './features.ts';
import { maxDifficulty } from './history.ts';
import { ndcgAt, recallAt } from './metrics.ts';
import { type MfModel, mfScore, trainMf } from './mf.ts';
import { mmr } from './mmr.ts';
import { suggestMentors } from './partners.ts';
import { type Fitted, recommendQuests } from './rank.ts';
import { loadScorer } from './scorer.ts';
import { simulateWorld } from './sim.ts';
import { type Split, timeSplit } from './split.ts';

describe('recommender on a small simulated world (real TF.js)', () => {
  const scorer = loadScorer();
  let split: Split;
  let mf: MfModel;
  let choice: ChoiceModel;
  let models: Fitted;
  before(async () => {
    split = timeSplit(simulateWorld({ seed: 11, players: 150, zonesPerCity: 4, days: 60 }));
    mf = await trainMf(split.train.completions, { epochs: 8, missions: split.ctx.missions });
    choice = fitChoiceModel(split.ctx, { iterations: 120 });
    models = { choice, mf };
  });
  const warm = () => [...split.ctx.profiles.values()].filter((p) => p.completions >= 3);

  it('BPR ranks a player\'s own completions above missions they skipped', () => {
    let above = 0, pairs = 0;
    for (const p of warm().slice(0, 40)) {
      const done = [...p.done];
      const other = split.ctx.history.missions.filter((m) => !p.done.has(m.id) && mf.items.has(m.id));
      for (const d of done) for (const o of other.slice(0, 20)) {
        pairs++;
        if (mfScore(mf, p.player.id, d) > mfScore(mf, p.player.id, o.id)) above++;
      }
    }
    assert.ok(above / pairs > 0.7, `AUC on training pairs ${above / pairs}`);
  });

  it('the choice model learns distance decay and ranks what a player went on to complete above what they skipped', () => {
    assert.ok(choice.choices > 100 && choice.bDist < 0, `distance coefficient ${choice.bDist}`);
    let above = 0, pairs = 0;
    for (const [playerId, relevant] of split.relevant) {
      const p = split.ctx.profiles.get(playerId);
      if (!p?.completions) continue;
      const scored = candidates(split.ctx, p).map((m) => ({ id: m.id, u: choiceUtility(choice, split.ctx, p, m) }));
      for (const a of scored.filter((s) => relevant.has(s.id))) for (const b of scored.filter((s) => !relevant.has(s.id))) {
        pairs++;
        if (a.u > b.u) above++;
      }
    }
    assert.ok(pairs > 100 && above / pairs > 0.75, `held-out AUC ${above / pairs} over ${pairs} pairs`);
  });

  it('scores a player it has no choices of by the population: equal homes, equal utilities', () => {
    const cold = [...split.ctx.profiles.values()].find((p) => p.completions === 0 && p.player.home);
    assert.ok(cold);
    const twin = { ...cold, player: { ...cold.player, id: '00000000-0000-4000-8000-00000000beef' } };
    const near = candidates(split.ctx, cold).filter((m) => distanceKm(cold, m) <= CHOICE_KM);
    assert.ok(near.length > 5);
    for (const m of near) {
      const u = choiceUtility(choice, split.ctx, cold, m);
      assert.ok(Number.isFinite(u));
      assert.equal(u, choiceUtility(choice, split.ctx, twin, m));
    }
  });

  it('gives 10 distinct, open, undone missions within the level gate, each with a reason', () => {
    for (const p of warm().slice(0, 25)) {
      const r = recommendQuests(split.ctx, models, scorer, p.player.id);
      assert.ok(r);
      assert.equal(r.coldStart, false);
      assert.equal(r.items.length, 10);
      assert.equal(new Set(r.items.map((i) => i.missionId)).size, 10);
      for (const i of r.items) {
        assert.ok(i.reason.length > 10, i.reason);
        assert.ok(i.difficulty <= maxDifficulty(p.level), `difficulty ${i.difficulty} above the gate of level ${p.level}`);
        assert.ok(!p.done.has(i.missionId));
        assert.ok(i.score >= 0 && i.score <= 1);
      }
    }
  });

  it('says which part of the choice model sets each pick apart: distance, taste, friends, the quest itself …', () => {
    const kinds = new Set<string>();
    for (const p of warm()) {
      for (const i of recommendQuests(split.ctx, models, scorer, p.player.id)?.items ?? []) kinds.add(i.reason.replace(/\d.*$/, '').slice(0, 24));
    }
    assert.ok(kinds.size >= 4, [...kinds].join(' | '));
  });

  it('ranks cold-start players on the population\'s choice model, location and popularity', () => {
    const cold = [...split.ctx.profiles.values()].find((p) => p.completions === 0 && p.player.home);
    assert.ok(cold, 'the world has a newcomer');
    const r = recommendQuests(split.ctx, models, scorer, cold.player.id);
    assert.ok(r?.coldStart);
    assert.equal(r.items.length, 10);
    for (const i of r.items) assert.match(i.reason, /near you/);
    assert.ok(r.items.every((i) => i.difficulty <= maxDifficulty(cold.level)));
    assert.equal(recommendQuests(split.ctx, models, scorer, '00000000-0000-4000-8000-000000000000'), undefined);
  });

  it('MMR diversifies: λ = 1 keeps the relevance order, a low λ spreads categories', () => {
    const pool = [{ item: 'a1', relevance: 1 }, { item: 'a2', relevance: 0.95 }, { item: 'b1', relevance: 0.6 }];
    const same = (x: string, y: string) => (x[0] === y[0] ? 1 : 0);
    assert.deepEqual(mmr(pool, 2, same, 1).map((p) => p.item), ['a1', 'a2']);
    assert.deepEqual(mmr(pool, 2, same, 0.5).map((p) => p.item), ['a1', 'b1']);
  });

  it('measures recall and NDCG', () => {
    assert.equal(ndcgAt(['a', 'b'], new Set(['a', 'b']), 10), 1);
    assert.equal(recallAt(['x', 'a'], new Set(['a', 'b']), 10), 0.5);
    assert.ok(ndcgAt(['x', 'a'], new Set(['a']), 10) < 1);
  });

  it('advises difficulty from successes and failures, within the gate', () => {
    assert.equal(adviseDifficulty(1, []).recommended, 1);
    const wins = Array.from({ length: 5 }, () => ({ difficulty: 2, ok: true }));
    assert.equal(adviseDifficulty(5, wins).recommended, 3);
    assert.equal(adviseDifficulty(1, wins).recommended, 2);
    assert.match(adviseDifficulty(1, wins).reason, /unlocks at level 2/);
    assert.equal(adviseDifficulty(5, [{ difficulty: 3, ok: false }, { difficulty: 3, ok: false }, { difficulty: 3, ok: true }]).recommended, 2);
  });

  it('suggests experienced mentors near a newcomer, sharing their interests', () => {
    const newcomer = [...split.ctx.profiles.values()].find((p) => p.completions === 0 && p.player.home);
    assert.ok(newcomer);
    const mentors = suggestMentors(split.ctx, newcomer, { interests: ['cleanup'] });
    assert.ok(mentors.length > 0);
    for (const m of mentors) {
      assert.ok(m.level > newcomer.level && m.completions >= 5);
      assert.ok(m.reason.includes(`level ${m.level}`));
    }
    assert.ok(mentors.every((m, i) => i === 0 || (mentors[i - 1]?.score ?? 0) >= m.score));
  });
});
