import type { Queryable } from '../media/index.ts';
import type { VisionAnalysis } from './pipeline.ts';

/**
 * Appends one vision_stage_results row per stage of `analysis` for an
 * evidence image. A re-run with the same model version writes nothing;
 * rows are never updated. Returns the number of rows written.
 */
export async function storeStageResults(db: Queryable, actionId: string, evidenceId: string, analysis: VisionAnalysis): Promise<number> {
  const { stages } = analysis;
  const res = await db.query(
    `INSERT INTO vision_stage_results (action_id, evidence_id, stage, model_version, flags, result, duration_ms)
     SELECT $1, $2, s.stage, $3, ARRAY(SELECT jsonb_array_elements_text(s.flags)), s.result, s.ms
       FROM unnest($4::text[], $5::jsonb[], $6::jsonb[], $7::float8[]) AS s(stage, flags, result, ms)
     ON CONFLICT (evidence_id, stage, model_version) DO NOTHING`,
    [
      actionId,
      evidenceId,
      analysis.modelVersion,
      stages.map((s) => s.stage),
      stages.map((s) => JSON.stringify(s.flags)),
      stages.map((s) => JSON.stringify(s.detail)),
      stages.map((s) => s.ms),
    ],
  );
  return res.rowCount ?? 0;
}
