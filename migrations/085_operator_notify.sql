-- Instances keep the phone interface → operator map in memory (a screen pop must not wait for a
-- query) and reload it when any statement changes the users (NOTIFY misto_operators).
CREATE FUNCTION operators_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('misto_operators', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER app_user_operators_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON app_user
  FOR EACH STATEMENT EXECUTE FUNCTION operators_notify_change();
