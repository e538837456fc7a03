-- Telemetry (product analytics): raw events partitioned by month, hourly and
-- daily rollups. Raw events are not ledger data: they are idempotent by
-- (occurred_at, id) and old partitions are dropped by the retention policy
-- (telemetry/store.ts dropExpiredPartitions, TELEMETRY_RETENTION_DAYS).

CREATE TABLE "telemetry_events" (
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "player_id" UUID,
    "zone_id" UUID,
    "props" JSONB NOT NULL DEFAULT '{}',
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "telemetry_events_pkey" PRIMARY KEY ("occurred_at", "id")
) PARTITION BY RANGE ("occurred_at");

CREATE INDEX "telemetry_events_name_occurred_at_idx" ON "telemetry_events" ("name", "occurred_at");

-- Monthly partitions named telemetry_events_pYYYYMM covering [from, to] (UTC
-- months). Concurrent callers serialize on a transaction advisory lock.
CREATE FUNCTION "telemetry_ensure_partitions"(p_from TIMESTAMPTZ, p_to TIMESTAMPTZ) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  m TIMESTAMP := date_trunc('month', p_from AT TIME ZONE 'UTC');
  last TIMESTAMP := date_trunc('month', p_to AT TIME ZONE 'UTC');
  part TEXT;
  created INTEGER := 0;
BEGIN
  IF p_to < p_from THEN RETURN 0; END IF;
  PERFORM pg_advisory_xact_lock(hashtext('oneheart.telemetry_partitions'));
  WHILE m <= last LOOP
    part := 'telemetry_events_p' || to_char(m, 'YYYYMM');
    IF to_regclass(format('public.%I', part)) IS NULL THEN
      EXECUTE format('CREATE TABLE public.%I PARTITION OF public.telemetry_events FOR VALUES FROM (%L) TO (%L)',
        part, to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(m + INTERVAL '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
      created := created + 1;
    END IF;
    m := m + INTERVAL '1 month';
  END LOOP;
  RETURN created;
END $$;

SELECT "telemetry_ensure_partitions"(now(), now() + INTERVAL '1 month');

-- Rollups: one row per bucket (UTC hour / UTC day), event name and zone; the
-- nil UUID stands for events without a zone.
-- unique_players counts distinct non-null player ids in the bucket.
CREATE TABLE "telemetry_hourly" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "name" TEXT NOT NULL,
    "zone_id" UUID NOT NULL,
    "count" BIGINT NOT NULL,
    "unique_players" INTEGER NOT NULL,
    CONSTRAINT "telemetry_hourly_pkey" PRIMARY KEY ("bucket", "name", "zone_id")
);

CREATE TABLE "telemetry_daily" (
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "name" TEXT NOT NULL,
    "zone_id" UUID NOT NULL,
    "count" BIGINT NOT NULL,
    "unique_players" INTEGER NOT NULL,
    CONSTRAINT "telemetry_daily_pkey" PRIMARY KEY ("bucket", "name", "zone_id")
);

GRANT SELECT, INSERT, UPDATE, DELETE ON "telemetry_events", "telemetry_hourly", "telemetry_daily" TO "oneheart_app";
REVOKE EXECUTE ON FUNCTION "telemetry_ensure_partitions"(TIMESTAMPTZ, TIMESTAMPTZ) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION "telemetry_ensure_partitions"(TIMESTAMPTZ, TIMESTAMPTZ) TO "oneheart_app";
