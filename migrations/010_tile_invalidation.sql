-- Precise tile cache invalidation: after every statement that changes a tile source table,
-- NOTIFY tiles_invalidate with the table and the EPSG:3857 bounding boxes of the old and new
-- geometries of the changed rows. Tile servers LISTEN and drop exactly the cached tiles those
-- boxes touch. Statement-level triggers with transition tables cost one aggregate per
-- statement, so a COPY of a million rows sends one message, not a million.
-- Payload: {"table": "...", "boxes": [[minx, miny, maxx, maxy], ...]} or "boxes": null
-- (TRUNCATE: everything of the table). Many rows collapse into their extent so the payload
-- stays far below PostgreSQL's 8000-byte limit.

CREATE FUNCTION tiles_notify_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  col    text := TG_ARGV[0];
  src    text;
  n      bigint;
  extent box2d;
  boxes  jsonb;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('tiles_invalidate', json_build_object('table', TG_TABLE_NAME, 'boxes', NULL)::text);
    RETURN NULL;
  END IF;
  src := CASE TG_OP
    WHEN 'INSERT' THEN format('SELECT %I::box2d AS b FROM new_rows', col)
    WHEN 'DELETE' THEN format('SELECT %I::box2d AS b FROM old_rows', col)
    ELSE format('SELECT %1$I::box2d AS b FROM old_rows UNION ALL SELECT %1$I::box2d FROM new_rows', col)
  END;
  EXECUTE format('SELECT count(*), ST_Extent(b) FROM (%s) s WHERE b IS NOT NULL', src) INTO n, extent;
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  IF n <= 64 THEN
    EXECUTE format($q$SELECT jsonb_agg(DISTINCT jsonb_build_array(floor(ST_XMin(b)), floor(ST_YMin(b)),
                                                                 ceil(ST_XMax(b)), ceil(ST_YMax(b))))
                      FROM (%s) s WHERE b IS NOT NULL$q$, src) INTO boxes;
  ELSE
    boxes := jsonb_build_array(jsonb_build_array(floor(ST_XMin(extent)), floor(ST_YMin(extent)),
                                                 ceil(ST_XMax(extent)), ceil(ST_YMax(extent))));
  END IF;
  PERFORM pg_notify('tiles_invalidate', jsonb_build_object('table', TG_TABLE_NAME, 'boxes', boxes)::text);
  RETURN NULL;
END
$$;

DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES ('landuse', 'geom_3857'), ('district', 'geom_3857'), ('street', 'geom_3857'),
                                 ('building', 'geom_3857'), ('infra_object', 'geom_3857'),
                                 ('announcement', 'zone_3857')) AS v(tbl, col)
  LOOP
    EXECUTE format('CREATE TRIGGER %1$s_tiles_ins AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION tiles_notify_changes(%2$L)', t.tbl, t.col);
    EXECUTE format('CREATE TRIGGER %1$s_tiles_upd AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION tiles_notify_changes(%2$L)', t.tbl, t.col);
    EXECUTE format('CREATE TRIGGER %1$s_tiles_del AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION tiles_notify_changes(%2$L)', t.tbl, t.col);
    EXECUTE format('CREATE TRIGGER %1$s_tiles_trunc AFTER TRUNCATE ON %1$I
                    FOR EACH STATEMENT EXECUTE FUNCTION tiles_notify_changes(%2$L)', t.tbl, t.col);
  END LOOP;
END
$$;
