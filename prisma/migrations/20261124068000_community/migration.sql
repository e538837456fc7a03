-- Community: comments on zone communities and on actions, with their
-- moderation state; published badge rule sets (versioned data, never edited).

-- visible: shown; pending: flagged on write, hidden until an admin decides;
-- hidden: hidden by an admin.
CREATE TYPE "CommentStatus" AS ENUM ('visible', 'pending', 'hidden');

CREATE TABLE "comments" (
  "id" UUID NOT NULL,
  "author_id" UUID NOT NULL,
  "zone_id" UUID NOT NULL,
  "action_id" UUID,
  "client_key" TEXT NOT NULL,
  "body" TEXT NOT NULL,
  "status" "CommentStatus" NOT NULL,
  "flags" TEXT[],
  "sentiment" DOUBLE PRECISION NOT NULL,
  "sentiment_score" INTEGER NOT NULL,
  "moderation_version" INTEGER NOT NULL,
  "reviewer_id" UUID,
  "reviewed_at" TIMESTAMPTZ(3),
  "review_reason" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "comments_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "comments_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "players"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "comments_zone_id_fkey" FOREIGN KEY ("zone_id") REFERENCES "zones"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "comments_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "actions"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "comments_reviewer_id_fkey" FOREIGN KEY ("reviewer_id") REFERENCES "players"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "comments_body_length" CHECK (char_length("body") BETWEEN 1 AND 1000)
);
CREATE UNIQUE INDEX "comments_author_id_client_key_key" ON "comments"("author_id", "client_key");
CREATE INDEX "comments_zone_id_status_created_at_idx" ON "comments"("zone_id", "status", "created_at");
CREATE INDEX "comments_status_created_at_idx" ON "comments"("status", "created_at");
CREATE INDEX "comments_author_id_created_at_idx" ON "comments"("author_id", "created_at");
CREATE INDEX "comments_action_id_idx" ON "comments"("action_id");

-- One row per published version of the badge rules (community/badges/): the
-- digest proves a published version was never changed afterwards.
CREATE TABLE "badge_rule_sets" (
  "version" INTEGER NOT NULL,
  "digest" CHAR(64) NOT NULL,
  "rules" JSONB NOT NULL,
  "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "badge_rule_sets_pkey" PRIMARY KEY ("version")
);

GRANT SELECT, INSERT, UPDATE, DELETE ON "comments" TO "oneheart_app";
GRANT SELECT, INSERT ON "badge_rule_sets" TO "oneheart_app";
