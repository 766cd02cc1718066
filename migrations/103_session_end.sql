-- Sessions end for every instance at once: a deleted session (sign-out, a disabled user, expiry)
-- and a user being disabled are announced on misto_session_end, so the event streams that carry
-- personal data close now rather than at their next heartbeat. And a session left unused ends
-- before its fixed lifetime: last_seen_at is when it was last used.
ALTER TABLE user_session ADD COLUMN last_seen_at timestamptz;
UPDATE user_session SET last_seen_at = created_at;
ALTER TABLE user_session ALTER COLUMN last_seen_at SET NOT NULL;

CREATE FUNCTION session_end_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'user_session' THEN
    PERFORM pg_notify('misto_session_end', 't:' || encode(OLD.token_hash, 'hex'));
  ELSE
    PERFORM pg_notify('misto_session_end', 'u:' || NEW.id);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER user_session_end_notify AFTER DELETE ON user_session
  FOR EACH ROW EXECUTE FUNCTION session_end_notify();
CREATE TRIGGER app_user_disabled_notify AFTER UPDATE OF disabled ON app_user
  FOR EACH ROW WHEN (NEW.disabled AND NOT OLD.disabled) EXECUTE FUNCTION session_end_notify();
