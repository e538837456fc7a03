// The `arima` package (ctsa compiled to WASM), loaded so that its C code's
// diagnostics ("non-stationary seasonal AR part", matrix warnings) do not go
// to stdout: the package's index.js builds the Emscripten module with
// console.log as its printer, so we build it ourselves from the package's own
// files with silent `print`/`printErr` (Emscripten module options).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const root = dirname(require.resolve('arima'));

export interface ArimaOrder {
  p: number; d: number; q: number;
  P?: number; D?: number; Q?: number; s?: number;
  /** 0 exact maximum likelihood (the package's default), 1 conditional sum of squares */
  method?: 0 | 1;
}

interface ArimaModel {
  train(ts: number[]): ArimaModel;
  /** [point forecasts, forecast error variances] for `length` steps ahead. */
  predict(length: number): [number[], number[]];
  destroy(): void;
}
type ArimaConstructor = new (options: ArimaOrder & { verbose: boolean }) => ArimaModel;

const silent = () => undefined;
const createModule = require(join(root, 'wasm/native-sync.js')) as (o: object) => unknown;
const wasmBinary = require(join(root, 'wrapper/native.bin.js')) as Uint8Array;
const load = require(join(root, 'load.js')) as (m: unknown) => ArimaConstructor;
const ARIMA = load(createModule({ wasmBinary, print: silent, printErr: silent }));

/** Fits `order` to `series` and returns `horizon` point forecasts with their error variances. */
export function fitAndPredict(series: number[], order: ArimaOrder, horizon: number): { point: number[]; variance: number[] } {
  const model = new ARIMA({ ...order, verbose: false });
  try {
    const [point, variance] = model.train(series).predict(horizon);
    return { point, variance };
  } finally {
    model.destroy();
  }
}

/** Shortest series the package accepts for `order` (its own guard, load.js). */
export function minimumLength(o: ArimaOrder): number {
  const s = o.s ?? 0;
  return o.d + s * (o.D ?? 0) + Math.max(o.p + o.q, 2 * s, 10);
}
