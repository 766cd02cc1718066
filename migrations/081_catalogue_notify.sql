-- The category catalogue (spheres, categories, organisations, district rules) is read on every
-- registration and changes a few times a year: instances keep it in memory and drop their copy when
-- any statement changes it (NOTIFY misto_catalogue, statement-level: one message per statement).
CREATE FUNCTION catalogue_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('misto_catalogue', TG_TABLE_NAME);
  RETURN NULL;
END
$$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sphere', 'category', 'executor', 'category_district_executor'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_catalogue_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %1$I
                    FOR EACH STATEMENT EXECUTE FUNCTION catalogue_notify_change()', t);
  END LOOP;
END
$$;
