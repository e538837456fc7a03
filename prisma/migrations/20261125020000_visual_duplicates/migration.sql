-- Near-duplicate search of the verifier (verifier/vision/dup-index.ts): one
-- visual descriptor per evidence image and descriptor version. The source of
-- truth of every verifier worker's in-memory index; workers catch up by id.
-- Append-only: a descriptor is evidence of how a proof was judged.

CREATE TABLE "visual_descriptors" (
  "id" BIGSERIAL NOT NULL,
  "evidence_id" UUID NOT NULL,
  "action_id" UUID NOT NULL,
  "model_version" CHAR(64) NOT NULL,
  "descriptor" BYTEA NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

  CONSTRAINT "visual_descriptors_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "visual_descriptors_evidence_id_fkey" FOREIGN KEY ("evidence_id") REFERENCES "evidence"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "visual_descriptors_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "actions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "visual_descriptors_evidence_id_model_version_key" ON "visual_descriptors"("evidence_id", "model_version");
CREATE INDEX "visual_descriptors_model_version_id_idx" ON "visual_descriptors"("model_version", "id");

CREATE TRIGGER "visual_descriptors_no_update_delete"
  BEFORE UPDATE OR DELETE ON "visual_descriptors"
  FOR EACH ROW EXECUTE FUNCTION "reject_append_only_change"();

CREATE TRIGGER "visual_descriptors_no_truncate"
  BEFORE TRUNCATE ON "visual_descriptors"
  FOR EACH STATEMENT EXECUTE FUNCTION "reject_append_only_change"();

GRANT SELECT, INSERT ON "visual_descriptors" TO "oneheart_app";
GRANT USAGE, SELECT ON SEQUENCE "visual_descriptors_id_seq" TO "oneheart_app";
