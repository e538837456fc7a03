-- What the indexer last reported about its progress (the head it saw, events/s, reorgs handled),
-- one row per chain, written by the indexer process and read by the API's /ready and /metrics.
-- The indexed block itself is the checkpoint in indexer_checkpoints (same name).
CREATE TABLE "indexer_status" (
  "name" TEXT NOT NULL,
  "chain_id" INTEGER NOT NULL,
  "head_block" BIGINT NOT NULL,
  "events_per_second" DOUBLE PRECISION NOT NULL,
  "reorgs" INTEGER NOT NULL,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "indexer_status_pkey" PRIMARY KEY ("name")
);
