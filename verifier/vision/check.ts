import sharp from 'sharp';
import type { RuleResult } from '../context.ts';
import type { Queryable } from '../media/index.ts';
import { isMissionType, type MissionType } from './mission-objects.ts';
import type { VisionModels } from './models.ts';
import { analyseImage } from './pipeline.ts';
import type { VisionFlag } from './stage.ts';
import { frameFaceBoxes } from './frame-faces.ts';
import { blurFaces, storeDerivative } from './privacy.ts';
import { storeStageResults } from './store.ts';
import { analyseVideo, faceBoxes } from './video.ts';
import { blurVideoFaces } from './video-derivative.ts';

/** How each vision flag weighs in the verifier's ensemble (verifier/score.ts). */
export const FLAG_SEVERITY: Record<VisionFlag, RuleResult['severity']> = {
  unsafe_content: 'hard',
  // Soft, not hard: `npm run vision:eval` finds liveness < 0.3 on ~5 % of faces never
  // re-photographed (~8 % on a second draw) for ~45 % of screen and ~5 % of print re-photos
  // caught; antispoof is no better than chance there. Too imprecise to block on.
  screen_or_print_photo: 'soft',
  no_expected_objects: 'soft',
  blurry: 'soft',
  over_exposed: 'soft',
  under_exposed: 'soft',
  low_resolution: 'soft',
};

/** Confidence is multiplied by this when no expected object was found. */
export const NO_OBJECTS_CONFIDENCE = 0.7;

export interface VisionEvidence {
  actionId: string;
  evidenceId: string;
  missionType: string;
  mediaType: string;
  bytes: Uint8Array;
  /** The image's near-duplicate descriptor when the stages already computed it (analyseImage). */
  descriptor?: Float32Array;
}

export interface VisionVerdict {
  /** One failed rule per flag, named after it, for the ensemble. */
  rules: RuleResult[];
  /** Unsafe content: the proof is rejected whatever the other signals say. */
  reject: boolean;
  /** Factor (≤ 1) on the ensemble's confidence. */
  confidenceFactor: number;
}

export type VisionCheck = (evidence: VisionEvidence) => Promise<VisionVerdict>;

/** Video evidence the stages read through ffmpeg (frames sampled by verifier/vision/frames.ts). */
export const VIDEO_TYPES: ReadonlySet<string> = new Set(['video/mp4', 'video/webm']);

const NONE: VisionVerdict = { rules: [], reject: false, confidenceFactor: 1 };

/** Flags → the verdict the verifier folds into its score. */
export function visionVerdict(flags: VisionFlag[]): VisionVerdict {
  const unique = [...new Set(flags)];
  return {
    rules: unique.map((f) => ({ name: f, passed: false, severity: FLAG_SEVERITY[f], detail: `vision stage flagged ${f}` })),
    reject: unique.includes('unsafe_content'),
    confidenceFactor: unique.includes('no_expected_objects') ? NO_OBJECTS_CONFIDENCE : 1,
  };
}

/** The verdicts of several evidence images of one proof as one: each flag once, any reject, the lowest confidence factor. */
export function mergeVerdicts(verdicts: VisionVerdict[]): VisionVerdict {
  const rules = new Map(verdicts.flatMap((v) => v.rules).map((r) => [r.name, r]));
  return {
    rules: [...rules.values()],
    reject: verdicts.some((v) => v.reject),
    confidenceFactor: verdicts.reduce((m, v) => Math.min(m, v.confidenceFactor), 1),
  };
}

/** Runs tasks one at a time, in call order: the models are one instance per process and human.detect() keeps per-call config. */
function serial(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const next = tail.then(task, task);
    tail = next.catch(() => undefined);
    return next;
  };
}

/** Writes a derivative object; Storage.put fits. */
export type PutObject = (key: string, bytes: Uint8Array, contentType: string) => Promise<void>;

/**
 * The verifier's hook: runs an image evidence through the vision stages, or
 * a video's sampled frames (first, middle, last, scene changes) through the
 * same stages, appends the stage results (linked to action, evidence and
 * frame), stores the face-blurred public derivative (a JPEG of the image,
 * or a short MP4 of the video with faces blurred in every frame) and returns
 * the flags as rules. Other media and
 * undecodable bytes yield no vision verdict (the media rules already judge
 * them). Analyses run one at a time per process, whatever the job concurrency.
 * `duplicates` (verifier/vision/duplicates.ts), when given, also looks each
 * image up among all stored evidence; its flag joins the stages' flags.
 */
export function createVisionCheck(models: VisionModels, db: Queryable, putObject: PutObject, duplicates?: VisionCheck): VisionCheck {
  const one = serial();
  // Only the analyses queue; ffmpeg sampling, derivative encoding, S3 and Postgres writes of other jobs overlap them.
  const analyse = (bytes: Uint8Array, missionType: MissionType) => one(() => analyseImage(models, bytes, missionType));
  return async (e) => {
    const missionType = e.missionType;
    if (!isMissionType(missionType)) throw new Error(`unknown mission type ${missionType}`);
    if (VIDEO_TYPES.has(e.mediaType)) {
      const video = await analyseVideo((frame) => analyse(frame, missionType), e.bytes);
      if (!video.frames[0]) return NONE;
      for (const f of video.frames) await storeStageResults(db, e.actionId, e.evidenceId, f.analysis, { index: f.index, timeS: f.timeS });
      // Each frame's face search queues like an analysis; decoding, blurring and encoding overlap other jobs.
      await storeDerivative(db, putObject, e.evidenceId, await blurVideoFaces(e.bytes, (frame) => one(() => frameFaceBoxes(models.human, frame))), models.version);
      return visionVerdict(video.flags);
    }
    if (!e.mediaType.startsWith('image/')) return NONE;
    const decodable = await sharp(e.bytes).metadata().then(() => true, () => false);
    if (!decodable) return NONE;
    const analysis = await analyse(e.bytes, missionType);
    await storeStageResults(db, e.actionId, e.evidenceId, analysis);
    await storeDerivative(db, putObject, e.evidenceId, await blurFaces(analysis.pixels, faceBoxes(analysis)), models.version);
    const duplicate = duplicates ? await one(() => duplicates({ ...e, descriptor: analysis.descriptor })) : NONE;
    return mergeVerdicts([visionVerdict(analysis.flags), duplicate]);
  };
}
