-- Chain mirror tables written only by the indexer (indexer/). Rows carry the
-- block they came from so a reorg can delete everything above the common ancestor.

CREATE TABLE "chain_epochs" (
  "chain_id" INTEGER NOT NULL,
  "epoch" BIGINT NOT NULL,
  "tree_size" BIGINT NOT NULL,
  "log_root" CHAR(66) NOT NULL,
  "rewards_root" CHAR(66) NOT NULL,
  "export_uri" TEXT NOT NULL,
  "export_hash" CHAR(66) NOT NULL,
  "tx_hash" CHAR(66) NOT NULL,
  "block_number" BIGINT NOT NULL,
  "block_hash" CHAR(66) NOT NULL,
  CONSTRAINT "chain_epochs_pkey" PRIMARY KEY ("chain_id", "epoch")
);
CREATE INDEX "chain_epochs_chain_id_block_number_idx" ON "chain_epochs"("chain_id", "block_number");

CREATE TABLE "chain_redemptions" (
  "chain_id" INTEGER NOT NULL,
  "redemption_id" CHAR(66) NOT NULL,
  "account" CHAR(42) NOT NULL,
  "amount" DECIMAL(78,0) NOT NULL,
  "tx_hash" CHAR(66) NOT NULL,
  "block_number" BIGINT NOT NULL,
  "block_hash" CHAR(66) NOT NULL,
  CONSTRAINT "chain_redemptions_pkey" PRIMARY KEY ("chain_id", "redemption_id")
);
CREATE INDEX "chain_redemptions_account_idx" ON "chain_redemptions"("account");
CREATE INDEX "chain_redemptions_chain_id_block_number_idx" ON "chain_redemptions"("chain_id", "block_number");

CREATE TABLE "sponsor_funding" (
  "chain_id" INTEGER NOT NULL,
  "sponsor" CHAR(42) NOT NULL,
  "campaign_id" CHAR(66) NOT NULL,
  "amount" DECIMAL(78,0) NOT NULL,
  "deposits" INTEGER NOT NULL,
  "block_number" BIGINT NOT NULL,
  CONSTRAINT "sponsor_funding_pkey" PRIMARY KEY ("chain_id", "sponsor", "campaign_id")
);
CREATE INDEX "sponsor_funding_campaign_id_idx" ON "sponsor_funding"("campaign_id");
