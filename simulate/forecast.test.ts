import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backtest, modelForecaster, seasonalNaive } from './backtest.ts';
import { forecastSeries, InsufficientHistoryError, MIN_HISTORY_MONTHS } from './forecast.ts';
import { syntheticMonthly } from './synthetic.ts';

describe('forecastSeries (real arima WASM)', () => {
  for (const [months, method, fallback] of [[48, 'sarima', false], [30, 'seasonal-index', true], [18, 'seasonal-index', true], [11, 'arima', true], [6, 'linear-trend', true]] as const) {
    it(`${months} months → ${method}: 12 points, intervals nest around the point, 95% wider than 80%`, () => {
      const f = forecastSeries(syntheticMonthly(3, months).values);
      assert.deepEqual([f.method, f.fallback, f.historyMonths], [method, fallback, months]);
      assert.equal(f.note === null, !fallback);
      assert.equal(f.points.length, 12);
      for (const p of f.points) {
        assert.ok(p.lower95 <= p.lower80 && p.lower80 <= p.point && p.point <= p.upper80 && p.upper80 <= p.upper95, JSON.stringify(p));
        assert.ok(p.upper95 - p.lower95 > p.upper80 - p.lower80);
        assert.ok(p.lower95 >= 0, 'amounts are never negative');
      }
    });
  }

  it('follows trend and season: a year ahead stays within 20% of the noiseless truth', () => {
    const s = syntheticMonthly(11, 60);
    const f = forecastSeries(s.values);
    const { level, trend, amplitude, phase } = s.params;
    f.points.forEach((p, h) => {
      const t = 60 + h;
      const truth = level + trend * t + amplitude * Math.sin((2 * Math.PI * t) / 12 + phase) + (amplitude / 3) * Math.sin((4 * Math.PI * t) / 12 + 2 * phase);
      assert.ok(Math.abs(p.point - truth) / truth < 0.2, `month ${h}: ${p.point} vs ${truth}`);
    });
  });

  it(`refuses fewer than ${MIN_HISTORY_MONTHS} months`, () => {
    assert.throws(() => forecastSeries([1, 2]), InsufficientHistoryError);
    assert.throws(() => forecastSeries([]), /0 month\(s\) of history/);
  });

  it('the same seed gives the same synthetic series; backtests score both forecasters on the same points', () => {
    assert.deepEqual(syntheticMonthly(5, 24).values, syntheticMonthly(5, 24).values);
    assert.notDeepEqual(syntheticMonthly(5, 24).values, syntheticMonthly(6, 24).values);
    const series = [1, 2, 3].map((k) => syntheticMonthly(k, 54).values);
    const model = backtest(series, modelForecaster);
    const naive = backtest(series, seasonalNaive);
    assert.equal(model.points, 18);
    assert.equal(naive.points, 18);
    for (const s of [model, naive]) {
      assert.ok(s.coverage80 >= 0 && s.coverage80 <= s.coverage95 && s.coverage95 <= 1);
      assert.ok(Number.isFinite(s.mape));
    }
  });
});
