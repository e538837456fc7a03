import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { Config, Human } from '@vladmandic/human';
import { load as loadNsfw, type NSFWJS } from 'nsfwjs/core';
import { MobileNetV2Model } from 'nsfwjs/models/mobilenet_v2';
import { useBackend } from '../model/backend.ts';
import { loadedFiles, registerFileLoader } from './file-loader.ts';
import { INPUT_SIDE, twoOutputMobileNet } from './mobilenet.ts';

const PKG = new URL('../../node_modules/', import.meta.url);
const HUMAN_MODELS = new URL('@vladmandic/human/models/', PKG);
/** The package's exports map refuses this subpath and its default entry needs tfjs-node: load the WASM build by path. */
const HUMAN_WASM_BUILD = fileURLToPath(new URL('@vladmandic/human/dist/human.node-wasm.js', PKG));
const WASM_DIR = fileURLToPath(new URL('@tensorflow/tfjs-backend-wasm/dist/', PKG));
/** nsfwjs ships MobileNetV2 as two JS modules (topology, base64 weights). */
const NSFW_FILES = ['nsfwjs/dist/models/mobilenet_v2/model.min.js', 'nsfwjs/dist/models/mobilenet_v2/group1-shard1of1.min.js'].map((p) =>
  fileURLToPath(new URL(p, PKG)),
);

export interface VisionModels {
  human: Human;
  nsfw: NSFWJS;
  /** nsfwjs's MobileNetV2 with its feature layer and its classifier as two outputs (verifier/vision/mobilenet.ts): one forward serves the unsafe stage and the near-duplicate descriptor. */
  mobileNet: tf.LayersModel;
  /** SHA-256 over the SHA-256 of every weight/topology file the models were built from. */
  version: string;
  /** Each file used and its SHA-256. */
  files: Record<string, string>;
}

const HUMAN_CONFIG: Partial<Config> = {
  backend: 'wasm',
  wasmPath: WASM_DIR.endsWith('/') ? WASM_DIR : `${WASM_DIR}/`,
  modelBasePath: HUMAN_MODELS.href,
  // 0: never reuse the previous image's results because the next one looks alike.
  cacheSensitivity: 0,
  cacheModels: false,
  debug: false,
  warmup: 'none',
  face: {
    enabled: true,
    // skipFrames/skipTime 0: evidence photos are unrelated stills, never frames of one video.
    detector: { rotation: false, maxDetected: 20, minConfidence: 0.5, return: false, skipFrames: 0, skipTime: 0 },
    mesh: { enabled: false },
    iris: { enabled: false },
    emotion: { enabled: false },
    description: { enabled: false },
    antispoof: { enabled: true, skipFrames: 0, skipTime: 0 },
    liveness: { enabled: true, skipFrames: 0, skipTime: 0 },
  } as Config['face'],
  body: { enabled: false } as Config['body'],
  hand: { enabled: false } as Config['hand'],
  gesture: { enabled: false },
  segmentation: { enabled: false } as Config['segmentation'],
  object: { enabled: true, modelPath: 'centernet.json', minConfidence: 0.3, maxDetected: 20, skipFrames: 0, skipTime: 0 } as Config['object'],
  filter: { enabled: false } as Config['filter'],
};

let loading: Promise<VisionModels> | null = null;

/** Loads human (faces, antispoof, liveness, centernet objects) and nsfwjs from the installed packages on the WASM backend, once per process, and warms them up. */
export function loadVisionModels(): Promise<VisionModels> {
  loading ??= load().catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

async function load(): Promise<VisionModels> {
  await useBackend('wasm');
  registerFileLoader();
  const require = createRequire(import.meta.url);
  const { Human: HumanClass } = require(HUMAN_WASM_BUILD) as { Human: new (config: Partial<Config>) => Human };
  const human = new HumanClass(HUMAN_CONFIG);
  await human.load();
  const nsfw = await loadNsfw('MobileNetV2', { modelDefinitions: [MobileNetV2Model] });
  const mobileNet = twoOutputMobileNet(nsfw);
  await warmUp(human, mobileNet);
  const files: Record<string, string> = {};
  for (const [path, sha] of loadedFiles) if (path.startsWith(fileURLToPath(HUMAN_MODELS))) files[path] = sha;
  for (const path of NSFW_FILES) files[path] = createHash('sha256').update(readFileSync(path)).digest('hex');
  const root = fileURLToPath(PKG);
  const h = createHash('sha256');
  for (const path of Object.keys(files).sort()) h.update(`${path.slice(root.length)}\0${files[path]}\n`);
  return { human, nsfw, mobileNet, version: h.digest('hex'), files };
}

/** One inference per model, at the batch size the pipeline uses (MobileNetV2: image and mirror), so the first real image pays no kernel compilation. */
async function warmUp(human: Human, mobileNet: tf.LayersModel): Promise<void> {
  const blank = tf.fill([224, 224, 3], 128, 'int32') as tf.Tensor3D;
  try {
    await human.detect(blank);
    tf.tidy(() => {
      for (const out of [mobileNet.predict(tf.fill([2, INPUT_SIDE, INPUT_SIDE, 3], 0.5))].flat()) out.dataSync();
    });
  } finally {
    blank.dispose();
  }
}
