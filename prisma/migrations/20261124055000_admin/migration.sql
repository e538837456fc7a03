-- Admin: player access controls (suspension, session cut-off) and versioned impact formulas.

-- One row per player an admin has acted on. suspended_at set = every access
-- token of the player is refused; tokens issued before sessions_valid_after are
-- refused (set on a role change so the old role's tokens stop working).
CREATE TABLE "player_access" (
  "player_id" UUID NOT NULL,
  "suspended_at" TIMESTAMPTZ(3),
  "suspension_reason" TEXT,
  "sessions_valid_after" TIMESTAMPTZ(3),
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "player_access_pkey" PRIMARY KEY ("player_id"),
  CONSTRAINT "player_access_player_id_fkey" FOREIGN KEY ("player_id") REFERENCES "players"("id") ON DELETE CASCADE
);

-- Impact formula parameters, one immutable row per version; the newest is active.
-- Ledger entries carry the version they were computed with (ledger_entries.formula_version).
CREATE TABLE "impact_formulas" (
  "version" INTEGER NOT NULL,
  "parameters" JSONB NOT NULL,
  "note" TEXT,
  "created_by" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "impact_formulas_pkey" PRIMARY KEY ("version"),
  CONSTRAINT "impact_formulas_version_positive" CHECK ("version" >= 1)
);

CREATE FUNCTION "impact_formulas_reject_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'impact_formulas versions are immutable: % rejected', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "impact_formulas_no_update_delete"
  BEFORE UPDATE OR DELETE ON "impact_formulas"
  FOR EACH ROW EXECUTE FUNCTION "impact_formulas_reject_change"();

CREATE TRIGGER "impact_formulas_no_truncate"
  BEFORE TRUNCATE ON "impact_formulas"
  FOR EACH STATEMENT EXECUTE FUNCTION "impact_formulas_reject_change"();

-- Version 1: exactly api/impact/formula.ts FORMULA_V1 (a test compares them).
INSERT INTO "impact_formulas" ("version", "parameters", "note") VALUES (1, '{
  "duration": {"referenceMinutes": 60, "minBps": 5000, "maxBps": 30000},
  "community": {"perWitnessBps": 500, "maxBonusBps": 2500},
  "level": {"perLevelBps": 200, "maxBonusBps": 5000},
  "difficultyBps": [10000, 11000, 12500, 15000, 20000],
  "streak": {"perDayBps": 200, "maxBonusBps": 3000},
  "authenticity": {"floorBps": 5000},
  "creditUnitsPerReferenceHour": 10000,
  "levelXp": 100,
  "fund": {"localBps": 6000, "nationalBps": 3000, "globalBps": 1000}
}', 'initial formula');

GRANT SELECT, INSERT, UPDATE, DELETE ON "player_access" TO "oneheart_app";
GRANT SELECT, INSERT ON "impact_formulas" TO "oneheart_app";

-- The admin dashboard counts actions submitted today / in the last 7 days.
CREATE INDEX "actions_submitted_at_idx" ON "actions"("submitted_at");
