-- Vision, part 2 (verifier/vision/): per-frame stage results of video
-- evidence, and the face-blurred public derivative of each evidence item.

-- A still image is frame 0 with no time; a video has one row per sampled
-- frame and stage (frame_time_s = its presentation time in the video).
ALTER TABLE "vision_stage_results"
  ADD COLUMN "frame_index" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "frame_time_s" DOUBLE PRECISION,
  ADD CONSTRAINT "vision_stage_results_frame_check" CHECK ("frame_index" >= 0 AND ("frame_time_s" IS NULL OR "frame_time_s" >= 0));

DROP INDEX "vision_stage_results_evidence_id_stage_model_version_key";
CREATE UNIQUE INDEX "vision_stage_results_evidence_id_frame_index_stage_model_version_key"
  ON "vision_stage_results"("evidence_id", "frame_index", "stage", "model_version");

-- The only copy of an evidence item anyone but its owner and admins may see:
-- a JPEG with every detected face blurred and no metadata (EXIF/GPS
-- stripped), stored beside the original. Append-only: written once, after
-- the face stage, never replaced.
CREATE TABLE "evidence_derivatives" (
  "evidence_id" UUID NOT NULL,
  "object_key" TEXT NOT NULL,
  "faces_blurred" INTEGER NOT NULL,
  "width" INTEGER NOT NULL,
  "height" INTEGER NOT NULL,
  "model_version" CHAR(64) NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

  CONSTRAINT "evidence_derivatives_pkey" PRIMARY KEY ("evidence_id"),
  CONSTRAINT "evidence_derivatives_evidence_id_fkey" FOREIGN KEY ("evidence_id") REFERENCES "evidence"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "evidence_derivatives_counts_check" CHECK ("faces_blurred" >= 0 AND "width" > 0 AND "height" > 0)
);

CREATE UNIQUE INDEX "evidence_derivatives_object_key_key" ON "evidence_derivatives"("object_key");

-- One guard for append-only tables from here on (earlier tables keep their own copies):
-- attach it BEFORE UPDATE OR DELETE (per row) and BEFORE TRUNCATE (per statement).
CREATE FUNCTION "reject_append_only_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % rejected', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "evidence_derivatives_no_update_delete"
  BEFORE UPDATE OR DELETE ON "evidence_derivatives"
  FOR EACH ROW EXECUTE FUNCTION "reject_append_only_change"();

CREATE TRIGGER "evidence_derivatives_no_truncate"
  BEFORE TRUNCATE ON "evidence_derivatives"
  FOR EACH STATEMENT EXECUTE FUNCTION "reject_append_only_change"();

GRANT SELECT, INSERT ON "evidence_derivatives" TO "oneheart_app";
