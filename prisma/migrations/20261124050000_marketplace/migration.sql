-- Marketplace redemption, relayed transfers and the operator relayer's transaction log.

-- Rewards name the partner that honours them.
ALTER TABLE "rewards" ADD COLUMN "partner" TEXT NOT NULL DEFAULT '';

-- A reservation holds `quantity` units of stock until it is paid (the Redeemed event
-- fulfils it) or expires (stock released). Idempotent per (player, idempotency key).
-- payment_flag records a burn that could not fulfil: paid after expiry, or too little.
ALTER TABLE "redemptions"
  ADD COLUMN "quantity" INTEGER NOT NULL DEFAULT 1,
  ADD COLUMN "idempotency_key" TEXT,
  ADD COLUMN "payment_flag" TEXT,
  ADD CONSTRAINT "redemptions_quantity_positive" CHECK ("quantity" > 0),
  ADD CONSTRAINT "redemptions_payment_flag_known" CHECK ("payment_flag" IN ('after_expiry', 'underpaid'));
CREATE UNIQUE INDEX "redemptions_player_id_idempotency_key_key" ON "redemptions"("player_id", "idempotency_key");

-- Fulfilment happens in the indexer's transaction that mirrors Redeemed(redemptionId)
-- into chain_redemptions, so it is exactly once and atomic with the mirror. Only a
-- reserved redemption paid in full is fulfilled; any other payment is recorded and
-- flagged (never a second fulfilment, never stock taken again). A reorg that removes
-- the mirrored event undoes what it did (a fulfilled redemption is reserved again and
-- expires normally if the burn is not mined again).
CREATE FUNCTION "redemption_paid"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "redemptions" r SET
    "burn_tx_hash" = NEW."tx_hash",
    "status" = CASE WHEN r."status" = 'reserved' AND NEW."amount" >= r."amount" THEN 'fulfilled'::"RedemptionStatus" ELSE r."status" END,
    "fulfilled_at" = CASE WHEN r."status" = 'reserved' AND NEW."amount" >= r."amount" THEN now() ELSE r."fulfilled_at" END,
    "payment_flag" = CASE
      WHEN r."status" = 'reserved' AND NEW."amount" >= r."amount" THEN NULL
      WHEN NEW."amount" < r."amount" THEN 'underpaid'
      ELSE 'after_expiry' END
  WHERE r."id" = NEW."redemption_id" AND r."burn_tx_hash" IS NULL;
  RETURN NULL;
END $$;

CREATE FUNCTION "redemption_payment_reorged"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "redemptions" SET
    "status" = CASE WHEN "status" = 'fulfilled' THEN 'reserved'::"RedemptionStatus" ELSE "status" END,
    "fulfilled_at" = NULL, "burn_tx_hash" = NULL, "payment_flag" = NULL
  WHERE "id" = OLD."redemption_id" AND "burn_tx_hash" = OLD."tx_hash";
  RETURN NULL;
END $$;

CREATE TRIGGER "chain_redemptions_fulfil" AFTER INSERT ON "chain_redemptions"
  FOR EACH ROW EXECUTE FUNCTION "redemption_paid"();
CREATE TRIGGER "chain_redemptions_reorg" AFTER DELETE ON "chain_redemptions"
  FOR EACH ROW EXECUTE FUNCTION "redemption_payment_reorged"();

-- Every transaction the operator relays. Nonces are assigned under an advisory lock
-- (lib/relayer.ts), so (chain, sender, nonce) is unique across API instances;
-- (kind, ref) is the idempotency key of the relayed action.
CREATE TYPE "RelayStatus" AS ENUM ('pending', 'confirmed', 'failed');
CREATE TABLE "relayer_transactions" (
  "id" BIGSERIAL NOT NULL,
  "chain_id" INTEGER NOT NULL,
  "sender" CHAR(42) NOT NULL,
  "nonce" INTEGER NOT NULL,
  "kind" TEXT NOT NULL,
  "ref" TEXT NOT NULL,
  "tx_hash" CHAR(66) NOT NULL,
  "status" "RelayStatus" NOT NULL DEFAULT 'pending',
  "block_number" BIGINT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "relayer_transactions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "relayer_transactions_kind_ref_key" ON "relayer_transactions"("kind", "ref");
CREATE UNIQUE INDEX "relayer_transactions_tx_hash_key" ON "relayer_transactions"("tx_hash");
CREATE INDEX "relayer_transactions_chain_id_sender_nonce_idx" ON "relayer_transactions"("chain_id", "sender", "nonce");
CREATE INDEX "relayer_transactions_status_idx" ON "relayer_transactions"("status");

-- Relayed Heart transfers (permit + transferFrom by the operator), idempotent per (player, key).
CREATE TABLE "token_transfers" (
  "id" UUID NOT NULL,
  "player_id" UUID NOT NULL,
  "idempotency_key" TEXT NOT NULL,
  "from_address" CHAR(42) NOT NULL,
  "to_address" CHAR(42) NOT NULL,
  "amount" DECIMAL(78,0) NOT NULL,
  "deadline" BIGINT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "token_transfers_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "token_transfers_player_id_idempotency_key_key" ON "token_transfers"("player_id", "idempotency_key");

GRANT SELECT, INSERT, UPDATE, DELETE ON "relayer_transactions", "token_transfers" TO "oneheart_app";
GRANT USAGE, SELECT ON SEQUENCE "relayer_transactions_id_seq" TO "oneheart_app";
