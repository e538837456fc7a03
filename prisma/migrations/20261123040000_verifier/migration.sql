-- Verifier: multi-index hashing of evidence perceptual hashes. Each 64-bit
-- pHash is split into four 16-bit bands; two hashes within Hamming distance
-- d share a band within distance floor(d/4), so a near-duplicate lookup is a
-- handful of index probes on (band, value) whatever the number of photos.
CREATE TABLE "evidence_phash_bands" (
  "evidence_id" UUID NOT NULL,
  "band" INTEGER NOT NULL,
  "value" INTEGER NOT NULL,
  CONSTRAINT "evidence_phash_bands_pkey" PRIMARY KEY ("evidence_id", "band"),
  CONSTRAINT "evidence_phash_bands_evidence_id_fkey" FOREIGN KEY ("evidence_id") REFERENCES "evidence"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "evidence_phash_bands_band_value_idx" ON "evidence_phash_bands"("band", "value");
GRANT SELECT, INSERT, UPDATE, DELETE ON "evidence_phash_bands" TO "oneheart_app";
