import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeImpact, decimalToBps, FORMULA_V1, FORMULA_VERSION, levelForXp, type ImpactInputs } from './formula.ts';
import { nextStreak } from './engine.ts';

const base: ImpactInputs = { baseXp: 100, baseHeart: 10n ** 18n, durationMinutes: 60, zoneMultiplier: '1.000', witnesses: 0, level: 1, difficulty: 1, streakDays: 1, score: 100 };

describe('impact formula v1', () => {
  it('is the identity at neutral inputs and splits funds 60/30/10', () => {
    const r = computeImpact(base);
    assert.equal(r.formulaVersion, FORMULA_VERSION);
    assert.equal(r.xp, 100);
    assert.equal(r.heart, 10n ** 18n);
    assert.equal(r.impactCredits, 10_000n);
    assert.deepEqual(r.fund, { localBps: 6000, nationalBps: 3000, globalBps: 1000 });
    assert.ok(Object.values(r.multipliersBps).every((m) => m === 10_000));
  });

  it('applies every multiplier exactly, with caps', () => {
    const r = computeImpact({ ...base, durationMinutes: 240, zoneMultiplier: '1.5', witnesses: 100, level: 3, difficulty: 5, streakDays: 4, score: 50 });
    assert.deepEqual(r.multipliersBps, { duration: 20_000, zone: 15_000, community: 12_500, level: 10_400, difficulty: 20_000, streak: 10_600, authenticity: 7_500 });
    const product = 2 * 1.5 * 1.25 * 1.04 * 2 * 1.06 * 0.75;
    assert.equal(r.xp, Math.floor(100 * product + 1e-9));
    assert.equal(r.heart, (10n ** 18n * 2n * 15n * 125n * 104n * 2n * 106n * 75n) / (10n * 100n * 100n * 100n * 100n));
    assert.equal(computeImpact({ ...base, durationMinutes: 1 }).multipliersBps.duration, FORMULA_V1.duration.minBps);
    assert.equal(computeImpact({ ...base, score: 0 }).multipliersBps.authenticity, FORMULA_V1.authenticity.floorBps);
  });

  it('parses multipliers, levels and streaks', () => {
    assert.equal(decimalToBps('1.5'), 15_000);
    assert.equal(decimalToBps('0.125'), 1_250);
    assert.throws(() => decimalToBps('-1'));
    assert.deepEqual([0n, 99n, 100n, 399n, 400n].map(levelForXp), [1, 1, 2, 2, 3]);
    const day = 86_400_000;
    const now = new Date(10 * day + 5);
    assert.equal(nextStreak(0, null, now), 1);
    assert.equal(nextStreak(3, new Date(9 * day + 7), now), 4);
    assert.equal(nextStreak(3, new Date(10 * day), now), 3);
    assert.equal(nextStreak(3, new Date(7 * day), now), 1);
  });
});
