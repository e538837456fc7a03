import { decodeImage, type RawRgb } from './decode.ts';
import { featuresDescriptor, passFeatures } from './descriptor.ts';
import { facesStage } from './faces.ts';
import type { MissionType } from './mission-objects.ts';
import { mobileNetPass, networkInput, type MobileNetOutput } from './mobilenet.ts';
import type { VisionModels } from './models.ts';
import { objectsStage } from './objects.ts';
import { qualityStage } from './quality.ts';
import { timed, type StageResult, type VisionFlag } from './stage.ts';
import { predictionsOf, unsafeStage } from './unsafe.ts';

export type { RawRgb } from './decode.ts';

const FACES_ONLY = { face: { enabled: true }, object: { enabled: false } };
const OBJECTS_ONLY = { face: { enabled: false }, object: { enabled: true } };

export interface VisionAnalysis {
  modelVersion: string;
  stages: StageResult[];
  /** Union of the stages' flags. */
  flags: VisionFlag[];
  /** Wall time of the whole analysis including decoding and the descriptor. */
  ms: number;
  /** The oriented RGB copy (longer side ≤ ANALYSIS_SIDE) the stages saw; the public derivative is blurred from it, so the bytes are decoded once. */
  pixels: RawRgb;
  /** Near-duplicate descriptor (verifier/vision/descriptor.ts) from the unsafe stage's MobileNetV2 forward, equal to describeImage's. */
  descriptor: Float32Array;
  /** Wall time of turning that forward's features into the descriptor (the forward itself is the unsafe stage's). */
  descriptorMs: number;
}

/**
 * Runs one image through the stages in order: faces (count, liveness,
 * antispoof), objects expected by the mission type, unsafe content (one
 * MobileNetV2 forward of the image and its mirror, whose features also make
 * the near-duplicate descriptor), quality. Throws when the bytes do not
 * decode.
 */
export async function analyseImage(models: VisionModels, bytes: Uint8Array, missionType: MissionType): Promise<VisionAnalysis> {
  const t0 = performance.now();
  const decoded = await decodeImage(bytes);
  const image = decoded.tensor;
  try {
    // detect() merges its config into the instance's for good: always say which model runs.
    const faces = await timed('faces', async () => facesStage((await models.human.detect(image, FACES_ONLY)).face));
    const objects = await timed('objects', async () => objectsStage((await models.human.detect(image, OBJECTS_ONLY)).object, missionType));
    const pixels: RawRgb = { data: decoded.rgb, width: decoded.lumaWidth, height: decoded.lumaHeight };
    let pass: MobileNetOutput | undefined;
    const unsafe = await timed('unsafe', async () => {
      pass = mobileNetPass(models.mobileNet, await networkInput(pixels));
      return unsafeStage(predictionsOf(pass.classes));
    });
    if (!pass) throw new Error('the unsafe stage ran no MobileNetV2 forward');
    const t = performance.now();
    const descriptor = featuresDescriptor(passFeatures(pass));
    const descriptorMs = Math.round((performance.now() - t) * 10) / 10;
    const quality = await timed('quality', async () => qualityStage(decoded));
    const stages: StageResult[] = [faces, objects, unsafe, quality];
    return {
      modelVersion: models.version,
      stages,
      flags: stages.flatMap((s) => s.flags),
      ms: Math.round((performance.now() - t0) * 10) / 10,
      pixels,
      descriptor,
      descriptorMs,
    };
  } finally {
    image.dispose();
  }
}
