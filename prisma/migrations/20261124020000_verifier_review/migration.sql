-- Verifier, part 2: rule results of each verification, human review decisions,
-- and a covering multi-index of perceptual hashes.

-- What the verifier saw (rule results, model score), one row per verification
-- result, written in the same transaction. Append-only like the result itself.
CREATE TABLE "verification_details" (
  "action_id" UUID NOT NULL,
  "rules" JSONB NOT NULL,
  "model_score" DOUBLE PRECISION NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT "verification_details_pkey" PRIMARY KEY ("action_id"),
  CONSTRAINT "verification_details_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "verification_results"("action_id") ON DELETE RESTRICT ON UPDATE RESTRICT
);

-- A human decision on an item the machines sent to review (kind 'proof': the
-- subject is an action). At most one per item; never rewritten: the verifier's
-- record stays as it was and this row is the later, human word.
CREATE TABLE "review_decisions" (
  "id" UUID NOT NULL,
  "kind" TEXT NOT NULL,
  "subject_id" UUID NOT NULL,
  "decision" "Decision" NOT NULL,
  "reason" TEXT NOT NULL,
  "reviewer_id" UUID NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT "review_decisions_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "review_decisions_reviewer_id_fkey" FOREIGN KEY ("reviewer_id") REFERENCES "players"("id") ON DELETE RESTRICT ON UPDATE RESTRICT,
  CONSTRAINT "review_decisions_final" CHECK ("decision" IN ('approve', 'reject')),
  CONSTRAINT "review_decisions_reason" CHECK (length("reason") BETWEEN 1 AND 1000)
);
CREATE UNIQUE INDEX "review_decisions_kind_subject_id_key" ON "review_decisions"("kind", "subject_id");

CREATE FUNCTION "verifier_records_reject_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % rejected', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "verification_details_append_only" BEFORE UPDATE OR DELETE ON "verification_details"
  FOR EACH ROW EXECUTE FUNCTION "verifier_records_reject_change"();
CREATE TRIGGER "review_decisions_append_only" BEFORE UPDATE OR DELETE ON "review_decisions"
  FOR EACH ROW EXECUTE FUNCTION "verifier_records_reject_change"();

-- Near-duplicate index. A 64-bit pHash is cut into four 16-bit chunks; two
-- hashes within Hamming distance d agree on some chunk within floor(d/4) bits
-- (pigeonhole), so a lookup probes each chunk's few neighbour values. The key
-- carries the whole hash, so the popcount filter runs on an index-only scan
-- and only true matches touch the heap. Kept current by a trigger on
-- evidence.phash, whoever writes it (verifier, demo seed, restores).
CREATE TABLE "evidence_phash_chunks" (
  "chunk_no" INTEGER NOT NULL,
  "chunk_value" INTEGER NOT NULL,
  "phash" BIGINT NOT NULL,
  "evidence_id" UUID NOT NULL,
  CONSTRAINT "evidence_phash_chunks_pkey" PRIMARY KEY ("chunk_no", "chunk_value", "phash", "evidence_id"),
  CONSTRAINT "evidence_phash_chunks_evidence_id_fkey" FOREIGN KEY ("evidence_id") REFERENCES "evidence"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE FUNCTION "evidence_phash_chunks_sync"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."phash" IS NOT NULL THEN
    DELETE FROM "evidence_phash_chunks"
     WHERE ("chunk_no", "chunk_value") IN (SELECT c, ((OLD."phash" >> (48 - 16 * c)) & 65535)::int FROM generate_series(0, 3) AS c)
       AND "phash" = OLD."phash" AND "evidence_id" = OLD."id";
  END IF;
  IF NEW."phash" IS NOT NULL THEN
    INSERT INTO "evidence_phash_chunks" ("chunk_no", "chunk_value", "phash", "evidence_id")
    SELECT c, ((NEW."phash" >> (48 - 16 * c)) & 65535)::int, NEW."phash", NEW."id" FROM generate_series(0, 3) AS c;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "evidence_phash_chunks_insert" AFTER INSERT ON "evidence"
  FOR EACH ROW WHEN (NEW."phash" IS NOT NULL) EXECUTE FUNCTION "evidence_phash_chunks_sync"();
CREATE TRIGGER "evidence_phash_chunks_update" AFTER UPDATE OF "phash" ON "evidence"
  FOR EACH ROW WHEN (OLD."phash" IS DISTINCT FROM NEW."phash") EXECUTE FUNCTION "evidence_phash_chunks_sync"();

INSERT INTO "evidence_phash_chunks" ("chunk_no", "chunk_value", "phash", "evidence_id")
SELECT c, ((e."phash" >> (48 - 16 * c)) & 65535)::int, e."phash", e."id"
  FROM "evidence" e CROSS JOIN generate_series(0, 3) AS c WHERE e."phash" IS NOT NULL;

-- The band table of 20261123040000_verifier is superseded by the chunks above.
DROP TABLE "evidence_phash_bands";

GRANT SELECT, INSERT ON "verification_details", "review_decisions" TO "oneheart_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON "evidence_phash_chunks" TO "oneheart_app";
