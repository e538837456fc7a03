-- Vision stages of the verifier (verifier/vision/): one row per evidence
-- image, stage and model version. Append-only like the ledger: a stage result
-- is evidence of how a proof was judged and is never rewritten.

CREATE TABLE "vision_stage_results" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "action_id" UUID NOT NULL,
  "evidence_id" UUID NOT NULL,
  "stage" TEXT NOT NULL,
  "model_version" CHAR(64) NOT NULL,
  "flags" TEXT[] NOT NULL,
  "result" JSONB NOT NULL,
  "duration_ms" DOUBLE PRECISION NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

  CONSTRAINT "vision_stage_results_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "vision_stage_results_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "actions"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "vision_stage_results_evidence_id_fkey" FOREIGN KEY ("evidence_id") REFERENCES "evidence"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "vision_stage_results_stage_check" CHECK ("stage" IN ('faces', 'objects', 'unsafe', 'quality')),
  CONSTRAINT "vision_stage_results_duration_check" CHECK ("duration_ms" >= 0)
);

CREATE UNIQUE INDEX "vision_stage_results_evidence_id_stage_model_version_key" ON "vision_stage_results"("evidence_id", "stage", "model_version");
CREATE INDEX "vision_stage_results_action_id_idx" ON "vision_stage_results"("action_id");

CREATE FUNCTION "vision_stage_results_reject_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'vision_stage_results is append-only: % rejected', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "vision_stage_results_no_update_delete"
  BEFORE UPDATE OR DELETE ON "vision_stage_results"
  FOR EACH ROW EXECUTE FUNCTION "vision_stage_results_reject_change"();

CREATE TRIGGER "vision_stage_results_no_truncate"
  BEFORE TRUNCATE ON "vision_stage_results"
  FOR EACH STATEMENT EXECUTE FUNCTION "vision_stage_results_reject_change"();

GRANT SELECT, INSERT ON "vision_stage_results" TO "oneheart_app";
