/** Every flag a vision stage can raise. */
export type VisionFlag =
  | 'screen_or_print_photo'
  | 'no_expected_objects'
  | 'unsafe_content'
  | 'blurry'
  | 'over_exposed'
  | 'under_exposed'
  | 'low_resolution';

export type StageName = 'faces' | 'objects' | 'unsafe' | 'quality';

/** One stage's named result: what it measured, the flags it raises, how long it took. */
export interface StageResult<D = Record<string, unknown>> {
  stage: StageName;
  flags: VisionFlag[];
  detail: D;
  ms: number;
}

/** Runs `fn` and times it as stage `stage`. */
export async function timed<D extends Record<string, unknown>>(stage: StageName, fn: () => Promise<{ flags: VisionFlag[]; detail: D }>): Promise<StageResult<D>> {
  const t0 = performance.now();
  const { flags, detail } = await fn();
  return { stage, flags, detail, ms: Math.round((performance.now() - t0) * 10) / 10 };
}
