import type { Queryable } from '../media/index.ts';
import type { VisionAnalysis } from './pipeline.ts';

/** Which frame of the evidence an analysis is of: a still image is frame 0 with no time. */
export interface FrameRef {
  index: number;
  timeS: number | null;
}

export const STILL: FrameRef = { index: 0, timeS: null };

/**
 * Appends one vision_stage_results row per stage of `analysis` for an
 * evidence image or one sampled frame of an evidence video. A re-run with the
 * same model version writes nothing; rows are never updated. Returns the
 * number of rows written.
 */
export async function storeStageResults(db: Queryable, actionId: string, evidenceId: string, analysis: VisionAnalysis, frame: FrameRef = STILL): Promise<number> {
  const { stages } = analysis;
  const res = await db.query(
    `INSERT INTO vision_stage_results (action_id, evidence_id, frame_index, frame_time_s, stage, model_version, flags, result, duration_ms)
     SELECT $1, $2, $3, $4, s.stage, $5, ARRAY(SELECT jsonb_array_elements_text(s.flags)), s.result, s.ms
       FROM unnest($6::text[], $7::jsonb[], $8::jsonb[], $9::float8[]) AS s(stage, flags, result, ms)
     ON CONFLICT (evidence_id, frame_index, stage, model_version) DO NOTHING`,
    [
      actionId,
      evidenceId,
      frame.index,
      frame.timeS,
      analysis.modelVersion,
      stages.map((s) => s.stage),
      stages.map((s) => JSON.stringify(s.flags)),
      stages.map((s) => JSON.stringify(s.detail)),
      stages.map((s) => s.ms),
    ],
  );
  return res.rowCount ?? 0;
}
