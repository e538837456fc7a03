import type { FaceBox } from './faces.ts';
import { sampleFrames } from './frames.ts';
import type { VisionAnalysis } from './pipeline.ts';
import type { StageResult, VisionFlag } from './stage.ts';

/** Unsafe content on any frame taints the whole video (one unsafe scene is enough). */
const ANY_FRAME: ReadonlySet<VisionFlag> = new Set(['unsafe_content']);
/**
 * A re-filmed screen or print shows in most of a video, while the liveness check falsely flags
 * about one genuine face in twenty (vision:eval): it counts when half the frames or more raise it.
 */
const HALF_THE_FRAMES: ReadonlySet<VisionFlag> = new Set(['screen_or_print_photo']);

/**
 * The flags of a video from its frames' flags: unsafe content when any frame
 * shows it; screen/print re-photos when half the frames or more do; the other
 * soft flags (no expected object, blur, exposure, resolution) only when every
 * frame raises them — the mission's objects need to be seen once, one blurred pan is normal.
 */
export function mergeFrameFlags(frames: VisionFlag[][]): VisionFlag[] {
  const all = new Set(frames.flat());
  const share = (f: VisionFlag) => frames.filter((fl) => fl.includes(f)).length / frames.length;
  return [...all].filter((f) => ANY_FRAME.has(f) || (HALF_THE_FRAMES.has(f) ? share(f) >= 0.5 : share(f) === 1));
}

export interface FrameAnalysis {
  index: number;
  timeS: number;
  jpeg: Buffer;
  analysis: VisionAnalysis;
}

export interface VideoAnalysis {
  frames: FrameAnalysis[];
  flags: VisionFlag[];
}

/**
 * Samples the video's frames (first, middle, last, scene changes) and runs
 * each through `analyse`, the same stages as a still image. Bytes ffmpeg cannot read as
 * a video give no frames (the media rules judge them).
 */
export async function analyseVideo(analyse: (frame: Uint8Array) => Promise<VisionAnalysis>, video: Uint8Array): Promise<VideoAnalysis> {
  const sampled = await sampleFrames(video).catch(() => []);
  const frames: FrameAnalysis[] = [];
  for (const f of sampled) frames.push({ ...f, analysis: await analyse(f.jpeg) });
  return { frames, flags: mergeFrameFlags(frames.map((f) => f.analysis.flags)) };
}

/** The normalised face boxes the faces stage found in an analysis. */
export function faceBoxes(analysis: VisionAnalysis): FaceBox[] {
  const faces: StageResult | undefined = analysis.stages.find((s) => s.stage === 'faces');
  return (faces?.detail.boxes as FaceBox[] | undefined) ?? [];
}
