import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

/** SHA-256 of every weight or topology file read through the `file://` router, by path. */
export const loadedFiles = new Map<string, string>();

function read(path: string): Buffer {
  const bytes = readFileSync(path);
  loadedFiles.set(path, createHash('sha256').update(bytes).digest('hex'));
  return bytes;
}

function fileHandler(url: string): tf.io.IOHandler {
  const path = fileURLToPath(url);
  return {
    async load() {
      const json = JSON.parse(read(path).toString('utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const buffers = manifest.flatMap((g) => g.paths.map((p) => {
          const b = read(join(dirname(path), p));
          return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
        }));
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

let registered = false;

/**
 * Lets TF.js graph models load from `file://` URLs (Node's fetch has none),
 * so packaged weights load without any network. Idempotent.
 */
export function registerFileLoader(): void {
  if (registered) return;
  registered = true;
  // TF.js routers answer null for URLs they do not handle; its IORouter type omits that.
  tf.io.registerLoadRouter((url) => (typeof url === 'string' && url.startsWith('file://') ? fileHandler(url) : (null as unknown as tf.io.IOHandler)));
}
