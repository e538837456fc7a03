-- Announces that what GET /api/map/zones/:id/activity shows has changed (a zone's actions
-- and their status), whoever wrote it: the API, the verifier, the impact engine, a review
-- decision or a seeder. The API's watcher (api/zone-activity-watch.ts) drops the cached view.
-- pg_notify delivers on commit and folds repeats of one zone within a transaction.
CREATE FUNCTION announce_zone_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('zone_activity', m.zone_id::text) FROM missions m WHERE m.id = NEW.mission_id;
  RETURN NULL;
END
$$;

CREATE TRIGGER actions_zone_activity AFTER INSERT OR UPDATE OF status ON actions
  FOR EACH ROW EXECUTE FUNCTION announce_zone_activity();
