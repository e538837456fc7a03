import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

const WASM_DIR = fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url));
/** The native TF.js binding; optional (its install downloads libtensorflow, which fails offline). */
export const TFJS_NODE = '@tensorflow/tfjs-node';

export type BackendName = 'cpu' | 'wasm' | 'tensorflow';

let wasmPathsSet = false;

/** Switches TF.js to `name`; the wasm binaries come from the local node_modules, never a CDN. */
export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'wasm' && !wasmPathsSet) {
    setWasmPaths(WASM_DIR.endsWith('/') ? WASM_DIR : `${WASM_DIR}/`);
    wasmPathsSet = true;
  }
  if (tf.getBackend() === name) return;
  if (!(await tf.setBackend(name))) throw new Error(`TF.js backend ${name} failed to initialise`);
  await tf.ready();
}

export interface InferenceBackend {
  name: BackendName;
  /** Why the native backend is not used (absent or failing), when it is not. */
  fallbackReason?: string;
}

/**
 * The inference backend: `tensorflow` (tfjs-node, native) when that package
 * loads and initialises, otherwise `wasm`. Both compute the same float32
 * graph as the cpu backend used for training (model.test.ts checks wasm).
 */
export async function useInferenceBackend(load: (specifier: string) => Promise<unknown> = (s) => import(s)): Promise<InferenceBackend> {
  try {
    await load(TFJS_NODE);
    await useBackend('tensorflow');
    return { name: 'tensorflow' };
  } catch (err) {
    await useBackend('wasm');
    return { name: 'wasm', fallbackReason: err instanceof Error ? err.message.split('\n')[0] : String(err) };
  }
}
