import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activityFloor, dropBelowNormal, sentimentFloor, stdDev, trend } from './early-warning.ts';

describe('early warning against a zone\'s own normal range', () => {
  const steady = [20, 22, 19, 21, 20, 21, 20, 22];

  it('fires on a synthetic drop in activity', () => {
    const check = dropBelowNormal(steady, 6, activityFloor);
    assert.ok(check?.fired);
    assert.ok(check.threshold > 6 && check.threshold < check.mean);
  });

  it('does not fire on steady data, on ordinary noise, or on a rise', () => {
    assert.equal(dropBelowNormal(steady, 21, activityFloor)?.fired, false);
    assert.equal(dropBelowNormal(steady, 19, activityFloor)?.fired, false);
    assert.equal(dropBelowNormal(steady, 40, activityFloor)?.fired, false);
    assert.equal(dropBelowNormal([10, 10, 10, 10, 10], 10, activityFloor)?.fired, false, 'σ = 0 and the same value');
    assert.equal(dropBelowNormal([10, 10, 10, 10, 10], 9, activityFloor)?.fired, false, 'the σ floor absorbs a one-event dip');
  });

  it('fires on a sentiment drop and not on sentiment noise', () => {
    const mood = [0.4, 0.5, 0.35, 0.45, 0.42, 0.5];
    assert.equal(dropBelowNormal(mood, -0.6, sentimentFloor)?.fired, true);
    assert.equal(dropBelowNormal(mood, 0.3, sentimentFloor)?.fired, false);
  });

  it('gives no verdict without a current value or with a short history', () => {
    assert.equal(dropBelowNormal(steady, null, activityFloor), null);
    assert.equal(dropBelowNormal([20, 21, 19], 0, activityFloor), null);
  });

  it('computes σ and a least-squares trend', () => {
    assert.equal(stdDev([2, 4, 4, 4, 5, 5, 7, 9]).toFixed(4), '2.1381');
    assert.equal(trend([1, null, 3, 4]), 1);
    assert.ok((trend([0.5, 0.4, 0.2, 0.1]) ?? 0) < 0);
    assert.equal(trend([null, 0.3]), null);
  });
});
