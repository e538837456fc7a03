-- The impact ledger is append-only at the database level: rows can be inserted
-- and read, never updated, deleted or truncated — by anyone, owner included.
-- The application role (see lib/migrator.ts: ONEHEART_APP_ROLE) additionally
-- holds no UPDATE/DELETE/TRUNCATE privilege on the table.

CREATE FUNCTION "ledger_entries_reject_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_entries is append-only: % rejected', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "ledger_entries_no_update_delete"
  BEFORE UPDATE OR DELETE ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "ledger_entries_reject_change"();

CREATE TRIGGER "ledger_entries_no_truncate"
  BEFORE TRUNCATE ON "ledger_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_entries_reject_change"();

-- The chain of a ledger entry must start at seq 0 and be gapless: checked by
-- appendEntry; here we guard the invariants that need no other row.
ALTER TABLE "ledger_entries"
  ADD CONSTRAINT "ledger_entries_seq_non_negative" CHECK ("seq" >= 0),
  ADD CONSTRAINT "ledger_entries_hash_lengths" CHECK (octet_length("prev_hash") = 32 AND octet_length("entry_hash") = 32 AND octet_length("evidence_commitment") = 32);

-- Least-privilege application role: it may read and append the ledger, not rewrite it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oneheart_app') THEN
    CREATE ROLE "oneheart_app" NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- roles are cluster-wide: another database's migration created it first
END
$$;
GRANT USAGE ON SCHEMA public TO "oneheart_app";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "oneheart_app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "oneheart_app";
REVOKE UPDATE, DELETE, TRUNCATE ON "ledger_entries" FROM "oneheart_app";
