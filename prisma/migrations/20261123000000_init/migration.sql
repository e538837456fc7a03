-- OneHeart initial schema. Mirrors prisma/schema.prisma (checked by test/schema-drift.test.ts).

CREATE TYPE "Role" AS ENUM ('player', 'sponsor', 'admin', 'auditor');
CREATE TYPE "MissionType" AS ENUM ('cleanup', 'planting', 'recycling', 'education', 'care', 'water', 'energy');
CREATE TYPE "QuestStatus" AS ENUM ('active', 'submitted', 'completed', 'abandoned');
CREATE TYPE "ActionStatus" AS ENUM ('pending', 'approved', 'rejected', 'review');
CREATE TYPE "Decision" AS ENUM ('approve', 'reject', 'review');
CREATE TYPE "EpochStatus" AS ENUM ('closing', 'exported', 'anchoring', 'anchored');
CREATE TYPE "RedemptionStatus" AS ENUM ('reserved', 'fulfilled', 'expired');
CREATE TYPE "Bucket" AS ENUM ('local', 'national', 'global');

-- ─── world ───────────────────────────────────────────────────────────────────
CREATE TABLE "zones" (
  "id" UUID NOT NULL,
  "name" TEXT NOT NULL,
  "country_code" CHAR(2) NOT NULL,
  "latitude" DOUBLE PRECISION NOT NULL,
  "longitude" DOUBLE PRECISION NOT NULL,
  "radius_m" INTEGER NOT NULL,
  "multiplier" DECIMAL(6,3) NOT NULL DEFAULT 1,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "zones_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "zones_country_code_idx" ON "zones"("country_code");

-- ─── identity ────────────────────────────────────────────────────────────────
CREATE TABLE "players" (
  "id" UUID NOT NULL,
  "address" CHAR(42) NOT NULL,
  "did" TEXT NOT NULL,
  "display_name" TEXT,
  "role" "Role" NOT NULL DEFAULT 'player',
  "level" INTEGER NOT NULL DEFAULT 1,
  "xp" BIGINT NOT NULL DEFAULT 0,
  "heart_earned" DECIMAL(78,0) NOT NULL DEFAULT 0,
  "heart_claimed" DECIMAL(78,0) NOT NULL DEFAULT 0,
  "impact_credits" DECIMAL(20,4) NOT NULL DEFAULT 0,
  "streak_days" INTEGER NOT NULL DEFAULT 0,
  "last_proof_at" TIMESTAMPTZ(3),
  "home_zone_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "players_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "players_home_zone_id_fkey" FOREIGN KEY ("home_zone_id") REFERENCES "zones"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "players_address_key" ON "players"("address");
CREATE UNIQUE INDEX "players_did_key" ON "players"("did");

CREATE TABLE "refresh_tokens" (
  "id" UUID NOT NULL,
  "player_id" UUID NOT NULL,
  "token_hash" CHAR(64) NOT NULL,
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  "revoked_at" TIMESTAMPTZ(3),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "refresh_tokens_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "refresh_tokens_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "players"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens"("token_hash");
CREATE INDEX "refresh_tokens_player_id_idx" ON "refresh_tokens"("player_id");

CREATE TABLE "missions" (
  "id" UUID NOT NULL,
  "zone_id" UUID NOT NULL,
  "title" TEXT NOT NULL,
  "description" TEXT NOT NULL,
  "type" "MissionType" NOT NULL,
  "difficulty" INTEGER NOT NULL DEFAULT 1,
  "base_xp" INTEGER NOT NULL,
  "base_heart" DECIMAL(78,0) NOT NULL,
  "duration_minutes" INTEGER NOT NULL,
  "latitude" DOUBLE PRECISION NOT NULL,
  "longitude" DOUBLE PRECISION NOT NULL,
  "radius_m" INTEGER NOT NULL DEFAULT 50,
  "starts_at" TIMESTAMPTZ(3),
  "ends_at" TIMESTAMPTZ(3),
  "active" BOOLEAN NOT NULL DEFAULT true,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "missions_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "missions_zone_id_fkey" FOREIGN KEY ("zone_id") REFERENCES "zones"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "missions_zone_id_active_idx" ON "missions"("zone_id", "active");

CREATE TABLE "quest_assignments" (
  "id" UUID NOT NULL,
  "player_id" UUID NOT NULL,
  "mission_id" UUID NOT NULL,
  "status" "QuestStatus" NOT NULL DEFAULT 'active',
  "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "completed_at" TIMESTAMPTZ(3),
  CONSTRAINT "quest_assignments_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "quest_assignments_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "players"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "quest_assignments_mission_id_fkey" FOREIGN KEY ("mission_id") REFERENCES "missions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "quest_assignments_player_id_status_idx" ON "quest_assignments"("player_id", "status");
CREATE INDEX "quest_assignments_mission_id_idx" ON "quest_assignments"("mission_id");

-- ─── proofs ──────────────────────────────────────────────────────────────────
CREATE TABLE "actions" (
  "id" UUID NOT NULL,
  "player_id" UUID NOT NULL,
  "mission_id" UUID NOT NULL,
  "assignment_id" UUID,
  "idempotency_key" TEXT NOT NULL,
  "latitude" DOUBLE PRECISION NOT NULL,
  "longitude" DOUBLE PRECISION NOT NULL,
  "accuracy_m" DOUBLE PRECISION NOT NULL,
  "captured_at" TIMESTAMPTZ(3) NOT NULL,
  "submitted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "status" "ActionStatus" NOT NULL DEFAULT 'pending',
  CONSTRAINT "actions_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "actions_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "players"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "actions_mission_id_fkey" FOREIGN KEY ("mission_id") REFERENCES "missions"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "actions_assignment_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "quest_assignments"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "actions_player_id_idempotency_key_key" ON "actions"("player_id", "idempotency_key");
CREATE INDEX "actions_player_id_submitted_at_idx" ON "actions"("player_id", "submitted_at");
CREATE INDEX "actions_status_idx" ON "actions"("status");

CREATE TABLE "evidence" (
  "id" UUID NOT NULL,
  "action_id" UUID NOT NULL,
  "object_key" TEXT NOT NULL,
  "sha256" CHAR(64) NOT NULL,
  "media_type" TEXT NOT NULL,
  "size_bytes" INTEGER NOT NULL,
  "width" INTEGER,
  "height" INTEGER,
  "phash" BIGINT,
  "salt" BYTEA NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "evidence_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "evidence_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "actions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "evidence_object_key_key" ON "evidence"("object_key");
CREATE INDEX "evidence_action_id_idx" ON "evidence"("action_id");
CREATE INDEX "evidence_sha256_idx" ON "evidence"("sha256");
CREATE INDEX "evidence_phash_idx" ON "evidence"("phash");

CREATE TABLE "verification_results" (
  "id" UUID NOT NULL,
  "action_id" UUID NOT NULL,
  "authenticity" INTEGER NOT NULL,
  "confidence" DOUBLE PRECISION NOT NULL,
  "flags" TEXT[],
  "model_version" TEXT NOT NULL,
  "decision" "Decision" NOT NULL,
  "reviewer_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "verification_results_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "verification_results_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "actions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "verification_results_action_id_key" ON "verification_results"("action_id");
CREATE INDEX "verification_results_decision_idx" ON "verification_results"("decision");

CREATE TABLE "witnesses" (
  "action_id" UUID NOT NULL,
  "witness_id" UUID NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "witnesses_pkey" PRIMARY KEY ("action_id", "witness_id"),
  CONSTRAINT "witnesses_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "actions"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "witnesses_witness_id_fkey" FOREIGN KEY ("witness_id") REFERENCES "players"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "witnesses_witness_id_idx" ON "witnesses"("witness_id");

CREATE TABLE "upvotes" (
  "action_id" UUID NOT NULL,
  "player_id" UUID NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "upvotes_pkey" PRIMARY KEY ("action_id", "player_id"),
  CONSTRAINT "upvotes_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "actions"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "upvotes_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "players"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "upvotes_player_id_idx" ON "upvotes"("player_id");

-- ─── impact ledger ───────────────────────────────────────────────────────────
CREATE TABLE "ledger_entries" (
  "seq" BIGINT NOT NULL,
  "action_id" UUID NOT NULL,
  "prev_hash" BYTEA NOT NULL,
  "entry_hash" BYTEA NOT NULL,
  "encoded" BYTEA NOT NULL,
  "player_address" CHAR(42) NOT NULL,
  "xp" INTEGER NOT NULL,
  "heart" DECIMAL(78,0) NOT NULL,
  "impact_credits" DECIMAL(20,4) NOT NULL,
  "fund_local_bps" INTEGER NOT NULL,
  "fund_national_bps" INTEGER NOT NULL,
  "fund_global_bps" INTEGER NOT NULL,
  "formula_version" INTEGER NOT NULL,
  "model_version" TEXT NOT NULL,
  "score" INTEGER NOT NULL,
  "evidence_commitment" BYTEA NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("seq"),
  CONSTRAINT "ledger_entries_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "actions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "ledger_entries_action_id_key" ON "ledger_entries"("action_id");
CREATE UNIQUE INDEX "ledger_entries_entry_hash_key" ON "ledger_entries"("entry_hash");
CREATE INDEX "ledger_entries_player_address_idx" ON "ledger_entries"("player_address");
CREATE INDEX "ledger_entries_created_at_idx" ON "ledger_entries"("created_at");

CREATE TABLE "epochs" (
  "epoch" INTEGER NOT NULL,
  "month" CHAR(7) NOT NULL,
  "status" "EpochStatus" NOT NULL DEFAULT 'closing',
  "tree_size" BIGINT NOT NULL,
  "log_root" BYTEA NOT NULL,
  "rewards_root" BYTEA NOT NULL,
  "export_uri" TEXT,
  "export_hash" BYTEA,
  "anchor_tx_hash" CHAR(66),
  "anchor_block" BIGINT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "anchored_at" TIMESTAMPTZ(3),
  CONSTRAINT "epochs_pkey" PRIMARY KEY ("epoch")
);
CREATE UNIQUE INDEX "epochs_month_key" ON "epochs"("month");

CREATE TABLE "reward_claims" (
  "epoch" INTEGER NOT NULL,
  "address" CHAR(42) NOT NULL,
  "cumulative_amount" DECIMAL(78,0) NOT NULL,
  "leaf_index" INTEGER NOT NULL,
  CONSTRAINT "reward_claims_pkey" PRIMARY KEY ("epoch", "address"),
  CONSTRAINT "reward_claims_epoch_fkey" FOREIGN KEY ("epoch") REFERENCES "epochs"("epoch") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "reward_claims_address_idx" ON "reward_claims"("address");

-- ─── marketplace ─────────────────────────────────────────────────────────────
CREATE TABLE "rewards" (
  "id" UUID NOT NULL,
  "title" TEXT NOT NULL,
  "description" TEXT NOT NULL,
  "cost_heart" DECIMAL(78,0) NOT NULL,
  "stock" INTEGER NOT NULL,
  "active" BOOLEAN NOT NULL DEFAULT true,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "rewards_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "rewards_stock_non_negative" CHECK ("stock" >= 0)
);

CREATE TABLE "redemptions" (
  "id" CHAR(66) NOT NULL,
  "player_id" UUID NOT NULL,
  "reward_id" UUID NOT NULL,
  "amount" DECIMAL(78,0) NOT NULL,
  "status" "RedemptionStatus" NOT NULL DEFAULT 'reserved',
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  "burn_tx_hash" CHAR(66),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "fulfilled_at" TIMESTAMPTZ(3),
  CONSTRAINT "redemptions_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "redemptions_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "players"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "redemptions_reward_id_fkey" FOREIGN KEY ("reward_id") REFERENCES "rewards"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "redemptions_player_id_idx" ON "redemptions"("player_id");
CREATE INDEX "redemptions_status_expires_at_idx" ON "redemptions"("status", "expires_at");

-- ─── progression and messages ────────────────────────────────────────────────
CREATE TABLE "badges" (
  "id" UUID NOT NULL,
  "code" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "description" TEXT NOT NULL,
  CONSTRAINT "badges_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "badges_code_key" ON "badges"("code");

CREATE TABLE "player_badges" (
  "player_id" UUID NOT NULL,
  "badge_id" UUID NOT NULL,
  "awarded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "player_badges_pkey" PRIMARY KEY ("player_id", "badge_id"),
  CONSTRAINT "player_badges_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "players"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "player_badges_badge_id_fkey" FOREIGN KEY ("badge_id") REFERENCES "badges"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE TABLE "notifications" (
  "id" UUID NOT NULL,
  "player_id" UUID NOT NULL,
  "kind" TEXT NOT NULL,
  "title" TEXT NOT NULL,
  "body" TEXT NOT NULL,
  "data" JSONB,
  "read_at" TIMESTAMPTZ(3),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "notifications_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "notifications_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "players"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "notifications_player_id_created_at_idx" ON "notifications"("player_id", "created_at");

-- ─── sponsors ────────────────────────────────────────────────────────────────
CREATE TABLE "sponsors" (
  "id" UUID NOT NULL,
  "player_id" UUID,
  "name" TEXT NOT NULL,
  "address" CHAR(42) NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "sponsors_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "sponsors_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "players"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "sponsors_player_id_key" ON "sponsors"("player_id");
CREATE UNIQUE INDEX "sponsors_address_key" ON "sponsors"("address");

CREATE TABLE "campaigns" (
  "id" UUID NOT NULL,
  "sponsor_id" UUID NOT NULL,
  "zone_id" UUID,
  "name" TEXT NOT NULL,
  "onchain_id" CHAR(66) NOT NULL,
  "starts_at" TIMESTAMPTZ(3),
  "ends_at" TIMESTAMPTZ(3),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "campaigns_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "campaigns_sponsor_id_fkey" FOREIGN KEY ("sponsor_id") REFERENCES "sponsors"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "campaigns_zone_id_fkey" FOREIGN KEY ("zone_id") REFERENCES "zones"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "campaigns_onchain_id_key" ON "campaigns"("onchain_id");
CREATE INDEX "campaigns_sponsor_id_idx" ON "campaigns"("sponsor_id");

CREATE TABLE "audit_log" (
  "id" BIGSERIAL NOT NULL,
  "actor_id" UUID,
  "action" TEXT NOT NULL,
  "target" TEXT,
  "data" JSONB,
  "ip" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_log_actor_id_created_at_idx" ON "audit_log"("actor_id", "created_at");

-- ─── chain mirror ────────────────────────────────────────────────────────────
CREATE TABLE "chain_blocks" (
  "chain_id" INTEGER NOT NULL,
  "number" BIGINT NOT NULL,
  "hash" CHAR(66) NOT NULL,
  "parent_hash" CHAR(66) NOT NULL,
  "timestamp" TIMESTAMPTZ(3) NOT NULL,
  CONSTRAINT "chain_blocks_pkey" PRIMARY KEY ("chain_id", "number")
);

CREATE TABLE "indexer_checkpoints" (
  "name" TEXT NOT NULL,
  "chain_id" INTEGER NOT NULL,
  "block_number" BIGINT NOT NULL,
  "block_hash" CHAR(66) NOT NULL,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "indexer_checkpoints_pkey" PRIMARY KEY ("name")
);

CREATE TABLE "chain_events" (
  "chain_id" INTEGER NOT NULL,
  "block_number" BIGINT NOT NULL,
  "block_hash" CHAR(66) NOT NULL,
  "tx_hash" CHAR(66) NOT NULL,
  "log_index" INTEGER NOT NULL,
  "contract" CHAR(42) NOT NULL,
  "event_name" TEXT NOT NULL,
  "args" JSONB NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "chain_events_pkey" PRIMARY KEY ("chain_id", "block_hash", "log_index")
);
CREATE INDEX "chain_events_event_name_block_number_idx" ON "chain_events"("event_name", "block_number");
CREATE INDEX "chain_events_chain_id_block_number_idx" ON "chain_events"("chain_id", "block_number");

CREATE TABLE "token_balances" (
  "address" CHAR(42) NOT NULL,
  "balance" DECIMAL(78,0) NOT NULL,
  "block_number" BIGINT NOT NULL,
  CONSTRAINT "token_balances_pkey" PRIMARY KEY ("address")
);

CREATE TABLE "pool_bucket_balances" (
  "bucket" "Bucket" NOT NULL,
  "funded" DECIMAL(78,0) NOT NULL,
  "disbursed" DECIMAL(78,0) NOT NULL,
  "block_number" BIGINT NOT NULL,
  CONSTRAINT "pool_bucket_balances_pkey" PRIMARY KEY ("bucket")
);
