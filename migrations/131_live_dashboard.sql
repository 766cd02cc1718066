-- The mayor's live dashboard: every instance hears that appeals, calls or announcements changed
-- (NOTIFY misto_live with the table's name, once per statement) and redraws from the database.
-- Open appeals past their due date are counted often: a partial index keeps that off the big table.
CREATE FUNCTION live_dashboard_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('misto_live', TG_TABLE_NAME);
  RETURN NULL;
END $$;

CREATE TRIGGER appeal_live_notify AFTER INSERT OR UPDATE OR DELETE ON appeal
  FOR EACH STATEMENT EXECUTE FUNCTION live_dashboard_notify();
CREATE TRIGGER call_live_notify AFTER INSERT OR UPDATE ON call
  FOR EACH STATEMENT EXECUTE FUNCTION live_dashboard_notify();
CREATE TRIGGER announcement_live_notify AFTER INSERT OR UPDATE OR DELETE ON announcement
  FOR EACH STATEMENT EXECUTE FUNCTION live_dashboard_notify();

CREATE INDEX appeal_open_due_idx ON appeal (due_at) WHERE appeal_status_is_open(status);
