-- Notifications (lib/notify.ts writes them, api/notifications/ dispatches them),
-- outbound webhook subscriptions and deliveries, and the zones/missions a
-- sponsor campaign funds.

-- A notification row is also the outbox entry: written in the caller's
-- transaction, announced by pg_notify on commit, dispatched once (dispatched_at).
ALTER TABLE "notifications"
  ADD COLUMN "dedupe_key" TEXT,
  ADD COLUMN "channels" TEXT[] NOT NULL DEFAULT ARRAY['in_app']::TEXT[],
  ADD COLUMN "dispatched_at" TIMESTAMPTZ(3);
CREATE UNIQUE INDEX "notifications_player_id_dedupe_key_key" ON "notifications"("player_id", "dedupe_key");
CREATE INDEX "notifications_dispatched_at_created_at_idx" ON "notifications"("dispatched_at", "created_at");

-- Per kind × channel opt-in/out; a missing row means the channel's default.
CREATE TABLE "notification_preferences" (
  "player_id" UUID NOT NULL,
  "kind" TEXT NOT NULL,
  "channel" TEXT NOT NULL,
  "enabled" BOOLEAN NOT NULL,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "notification_preferences_pkey" PRIMARY KEY ("player_id", "kind", "channel"),
  CONSTRAINT "notification_preferences_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "players"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- An HTTPS endpoint that receives signed deliveries (Standard Webhooks):
-- topic 'notifications' (the owner's notifications) or 'ledger' (entry status
-- changes, one entry when entry_seq is set, else every entry).
CREATE TABLE "webhook_subscriptions" (
  "id" UUID NOT NULL,
  "player_id" UUID NOT NULL,
  "topic" TEXT NOT NULL,
  "entry_seq" BIGINT,
  "url" TEXT NOT NULL,
  "secret" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "disabled_at" TIMESTAMPTZ(3),
  CONSTRAINT "webhook_subscriptions_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "webhook_subscriptions_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "players"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "webhook_subscriptions_player_id_topic_idx" ON "webhook_subscriptions"("player_id", "topic");
CREATE INDEX "webhook_subscriptions_topic_entry_seq_idx" ON "webhook_subscriptions"("topic", "entry_seq");

-- One delivery per (subscription, event): retried by the BullMQ worker, 'dead' after its attempts.
CREATE TABLE "webhook_deliveries" (
  "id" UUID NOT NULL,
  "subscription_id" UUID NOT NULL,
  "event_key" TEXT NOT NULL,
  "event_type" TEXT NOT NULL,
  "payload" JSONB NOT NULL,
  "status" TEXT NOT NULL DEFAULT 'pending',
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "last_status" INTEGER,
  "last_error" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "delivered_at" TIMESTAMPTZ(3),
  CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "webhook_deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "webhook_deliveries_subscription_id_event_key_key" ON "webhook_deliveries"("subscription_id", "event_key");
CREATE INDEX "webhook_deliveries_status_idx" ON "webhook_deliveries"("status");

-- What a campaign funds (its impact is measured over these for ROI).
CREATE TABLE "campaign_zones" (
  "campaign_id" UUID NOT NULL,
  "zone_id" UUID NOT NULL,
  CONSTRAINT "campaign_zones_pkey" PRIMARY KEY ("campaign_id", "zone_id"),
  CONSTRAINT "campaign_zones_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "campaign_zones_zone_id_fkey" FOREIGN KEY ("zone_id") REFERENCES "zones"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE TABLE "campaign_missions" (
  "campaign_id" UUID NOT NULL,
  "mission_id" UUID NOT NULL,
  CONSTRAINT "campaign_missions_pkey" PRIMARY KEY ("campaign_id", "mission_id"),
  CONSTRAINT "campaign_missions_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "campaign_missions_mission_id_fkey" FOREIGN KEY ("mission_id") REFERENCES "missions"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

GRANT SELECT, INSERT, UPDATE, DELETE ON "notification_preferences", "webhook_subscriptions", "webhook_deliveries", "campaign_zones", "campaign_missions" TO "oneheart_app";
