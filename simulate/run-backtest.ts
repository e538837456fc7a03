// `npm run simulate:backtest`: the forecast model against a seasonal-naive
// baseline on seeded synthetic monthly histories (simulate/synthetic.ts),
// holding out the last 6 months of each. Prints a table; asserts nothing.
import { backtest, modelForecaster, seasonalNaive } from './backtest.ts';
import { forecastSeries } from './forecast.ts';
import { syntheticMonthly } from './synthetic.ts';

const SERIES = 200;
const HOLDOUT = 6;
const SEED = 20_261_124;
const HISTORIES = [60, 48, 36, 30, 24, 18, 13];

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

console.log(`Backtest: ${SERIES} seeded synthetic series per history length (seed ${SEED}), last ${HOLDOUT} months held out; target coverage 80% / 95%.\n`);
console.log(row(['history (months)', 'model', 'fitted', 'MAPE', '80% coverage', '95% coverage', '95% width / actual']));
console.log(row(['---', '---', '---', '---:', '---:', '---:', '---:']));
for (const months of HISTORIES) {
  const series = Array.from({ length: SERIES }, (_, k) => syntheticMonthly(SEED + k, months + HOLDOUT).values);
  const started = performance.now();
  const model = backtest(series, modelForecaster, HOLDOUT);
  const ms = (performance.now() - started) / SERIES;
  const methods = new Map<string, number>();
  for (const s of series) {
    const { method } = forecastSeries(s.slice(0, months), HOLDOUT);
    methods.set(method, (methods.get(method) ?? 0) + 1);
  }
  const fitted = [...methods].map(([m, k]) => `${m} ×${k}`).join(', ');
  const naive = backtest(series, seasonalNaive, HOLDOUT);
  console.log(row([String(months), 'forecast (simulate/forecast.ts)', `${fitted}; ${ms.toFixed(1)} ms/series`, `${model.mape.toFixed(2)}%`, pct(model.coverage80), pct(model.coverage95), `${model.width95.toFixed(1)}%`]));
  console.log(row([String(months), 'seasonal naive', 'last year repeated', `${naive.mape.toFixed(2)}%`, pct(naive.coverage80), pct(naive.coverage95), `${naive.width95.toFixed(1)}%`]));
}
