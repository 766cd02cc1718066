-- Hotspots: appeals about the same place again and again. Two appeals of one category are linked
-- when their places (point, else the building's centroid) are within hotspot_radius_m() metres and
-- they were registered within hotspot_window_days() of each other; a hotspot is a connected set of
-- linked appeals (single linkage in space and time, i.e. DBSCAN with minPoints 1 over both). Sets
-- are formed over the whole history and kept current by a trigger on appeal, so a planner's period
-- reads the few sets that have appeals in it instead of clustering millions of appeals per request.
-- Linking in time as well as space keeps sets local: a street of potholes reported over the years is
-- many hotspots, not one.
CREATE FUNCTION hotspot_radius_m() RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN 50;
CREATE FUNCTION hotspot_window_days() RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN 14;
-- Grid cells (EPSG:3857 units) for finding neighbours: a cell is wider than the radius in those
-- units anywhere below 66° of latitude (50 m / cos φ), so a neighbour is in one of the 3 × 3 cells.
CREATE FUNCTION hotspot_cell_size() RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN 125;

-- One row per appeal that has a place: where (EPSG:3857 and the latitude's stretch 1/cos φ), when,
-- its grid cell, and the set it belongs to (NULL while it is linked to nothing).
CREATE TABLE hotspot_member (
  appeal_id   bigint PRIMARY KEY,
  category_id int NOT NULL,
  building_id int,
  x           float8 NOT NULL,
  y           float8 NOT NULL,
  k           float8 NOT NULL,
  cx          int NOT NULL,
  cy          int NOT NULL,
  at          timestamptz NOT NULL,
  hotspot_id  bigint
);
CREATE INDEX hotspot_member_near_idx ON hotspot_member (category_id, cx, cy, at);
CREATE INDEX hotspot_member_set_idx ON hotspot_member (hotspot_id, at) WHERE hotspot_id IS NOT NULL;

-- One row per set of at least two linked appeals.
CREATE TABLE hotspot (
  id          bigserial PRIMARY KEY,
  category_id int NOT NULL,
  appeals     int NOT NULL,
  first_at    timestamptz NOT NULL,
  last_at     timestamptz NOT NULL
);
CREATE INDEX hotspot_size_idx ON hotspot (appeals DESC, last_at DESC);
CREATE INDEX hotspot_category_size_idx ON hotspot (category_id, appeals DESC, last_at DESC);
-- The sets a period's edge cuts through.
CREATE INDEX hotspot_span_idx ON hotspot USING gist (tstzrange(first_at, last_at, '[]'));

-- Are two places near enough? Distances in EPSG:3857 are stretched by 1/cos φ; the mean stretch of
-- the two keeps the test symmetric.
CREATE FUNCTION hotspot_near(x1 float8, y1 float8, k1 float8, x2 float8, y2 float8, k2 float8) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (x1 - x2) ^ 2 + (y1 - y2) ^ 2 <= (hotspot_radius_m() * (k1 + k2) / 2) ^ 2;

-- The members linked to a place: same category, a neighbouring cell, within the window, near.
CREATE FUNCTION hotspot_neighbours(category int, px float8, py float8, pk float8, pcx int, pcy int, t timestamptz, but bigint)
  RETURNS TABLE (appeal_id bigint, hotspot_id bigint) LANGUAGE sql STABLE AS $$
  SELECT m.appeal_id, m.hotspot_id FROM hotspot_member m
   WHERE m.category_id = category AND m.cx BETWEEN pcx - 1 AND pcx + 1 AND m.cy BETWEEN pcy - 1 AND pcy + 1
     AND m.at BETWEEN t - make_interval(hours => hotspot_window_days() * 24) AND t + make_interval(hours => hotspot_window_days() * 24)
     AND m.appeal_id <> but AND hotspot_near(m.x, m.y, m.k, px, py, pk)
$$;

-- A set's row from its members; a set of one is dissolved.
CREATE FUNCTION hotspot_refresh(set_id bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE n int;
BEGIN
  SELECT count(*) INTO n FROM hotspot_member WHERE hotspot_id = set_id;
  IF n < 2 THEN
    UPDATE hotspot_member SET hotspot_id = NULL WHERE hotspot_id = set_id;
    DELETE FROM hotspot WHERE id = set_id;
    RETURN;
  END IF;
  INSERT INTO hotspot AS h (id, category_id, appeals, first_at, last_at)
  SELECT set_id, min(category_id), count(*), min(at), max(at) FROM hotspot_member WHERE hotspot_id = set_id
  ON CONFLICT (id) DO UPDATE SET category_id = EXCLUDED.category_id, appeals = EXCLUDED.appeals,
                                 first_at = EXCLUDED.first_at, last_at = EXCLUDED.last_at;
END $$;

-- An appeal joins: it links the sets and lone appeals near it into one set.
CREATE FUNCTION hotspot_add(id bigint, category int, p geometry, building int, t timestamptz) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  pt geometry := ST_Transform(p, 3857);
  px float8 := ST_X(pt);
  py float8 := ST_Y(pt);
  pk float8 := 1 / cos(radians(ST_Y(p)));
  pcx int := floor(px / hotspot_cell_size());
  pcy int := floor(py / hotspot_cell_size());
  sets bigint[];
  lone bigint[];
  target bigint;
BEGIN
  SELECT array_agg(DISTINCT n.hotspot_id) FILTER (WHERE n.hotspot_id IS NOT NULL),
         array_agg(n.appeal_id) FILTER (WHERE n.hotspot_id IS NULL)
    INTO sets, lone FROM hotspot_neighbours(category, px, py, pk, pcx, pcy, t, id) n;
  IF sets IS NOT NULL THEN target := (SELECT min(s) FROM unnest(sets) s);
  ELSIF lone IS NOT NULL THEN target := nextval(pg_get_serial_sequence('hotspot', 'id'));
  END IF;
  INSERT INTO hotspot_member (appeal_id, category_id, building_id, x, y, k, cx, cy, at, hotspot_id)
  VALUES (id, category, building, px, py, pk, pcx, pcy, t, target);
  IF target IS NULL THEN RETURN; END IF;
  UPDATE hotspot_member m SET hotspot_id = target
   WHERE (m.hotspot_id = ANY(sets) AND m.hotspot_id <> target) OR m.appeal_id = ANY(lone);
  DELETE FROM hotspot WHERE hotspot.id = ANY(sets) AND hotspot.id <> target;
  PERFORM hotspot_refresh(target);
END $$;

-- An appeal leaves (deleted, moved, recategorised, redated): its set may fall apart. The rest are
-- split into what is still connected, walking the links among the set's own members.
CREATE FUNCTION hotspot_remove(id bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  old_set bigint;
  seed bigint;
  part bigint;
BEGIN
  DELETE FROM hotspot_member m WHERE m.appeal_id = id RETURNING m.hotspot_id INTO old_set;
  IF old_set IS NULL THEN RETURN; END IF;
  CREATE TEMP TABLE IF NOT EXISTS hotspot_split (appeal_id bigint PRIMARY KEY, part bigint) ON COMMIT DROP;
  TRUNCATE hotspot_split;
  INSERT INTO hotspot_split SELECT m.appeal_id, NULL FROM hotspot_member m WHERE m.hotspot_id = old_set;
  LOOP
    SELECT s.appeal_id INTO seed FROM hotspot_split s WHERE s.part IS NULL ORDER BY s.appeal_id LIMIT 1;
    EXIT WHEN seed IS NULL;
    -- The first part keeps the set's id.
    part := CASE WHEN EXISTS (SELECT 1 FROM hotspot_split WHERE hotspot_split.part = old_set) THEN nextval(pg_get_serial_sequence('hotspot', 'id')) ELSE old_set END;
    WITH RECURSIVE reach(appeal_id) AS (
      SELECT seed
      UNION
      SELECT b.appeal_id FROM reach r
        JOIN hotspot_member a ON a.appeal_id = r.appeal_id
        JOIN hotspot_member b ON b.hotspot_id = old_set AND b.category_id = a.category_id
             AND b.cx BETWEEN a.cx - 1 AND a.cx + 1 AND b.cy BETWEEN a.cy - 1 AND a.cy + 1
             AND b.at BETWEEN a.at - make_interval(hours => hotspot_window_days() * 24) AND a.at + make_interval(hours => hotspot_window_days() * 24)
             AND hotspot_near(a.x, a.y, a.k, b.x, b.y, b.k))
    UPDATE hotspot_split s SET part = hotspot_split_part.part
      FROM (SELECT reach.appeal_id, part AS part FROM reach) hotspot_split_part
     WHERE s.appeal_id = hotspot_split_part.appeal_id;
  END LOOP;
  UPDATE hotspot_member m SET hotspot_id = s.part FROM hotspot_split s
   WHERE m.appeal_id = s.appeal_id AND s.part <> old_set;
  FOR part IN SELECT DISTINCT s.part FROM hotspot_split s LOOP
    PERFORM hotspot_refresh(part);
  END LOOP;
  IF NOT EXISTS (SELECT 1 FROM hotspot_split) THEN DELETE FROM hotspot WHERE hotspot.id = old_set; END IF;
END $$;

CREATE FUNCTION hotspot_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE p geometry;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM hotspot_remove(OLD.id); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    p := appeal_map_point(NEW.point, NEW.building_id);
    IF p IS NOT NULL THEN PERFORM hotspot_add(NEW.id, NEW.category_id, p, NEW.building_id, NEW.created_at); END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER hotspot_track_insert AFTER INSERT OR DELETE ON appeal
  FOR EACH ROW EXECUTE FUNCTION hotspot_track();
-- The point is compared as its bytes, as in migration 130 (pg_restore's empty search_path).
CREATE TRIGGER hotspot_track_update AFTER UPDATE OF point, building_id, category_id, created_at ON appeal
  FOR EACH ROW WHEN (OLD.point::bytea IS DISTINCT FROM NEW.point::bytea OR OLD.building_id IS DISTINCT FROM NEW.building_id
                     OR OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION hotspot_track();

-- Everything from scratch, set-based: after bulk loads that bypass the trigger, and for what is
-- already here. Links are found by joining each appeal's 3 × 3 cells and its own and the next
-- window-long time bucket (so each pair is met once), then sets are labelled by propagating the
-- smallest appeal id along the links until nothing changes.
CREATE FUNCTION hotspot_rebuild() RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  w interval := make_interval(hours => hotspot_window_days() * 24);
  w_s float8 := hotspot_window_days() * 86400;
  changed bigint;
BEGIN
  TRUNCATE hotspot, hotspot_member;
  INSERT INTO hotspot_member (appeal_id, category_id, building_id, x, y, k, cx, cy, at)
  SELECT id, category_id, building_id, ST_X(pt), ST_Y(pt), 1 / cos(radians(lat)),
         floor(ST_X(pt) / hotspot_cell_size()), floor(ST_Y(pt) / hotspot_cell_size()), created_at
    FROM (SELECT ap.id, ap.category_id, ap.building_id, ap.created_at,
                 ST_Transform(coalesce(ap.point, b.centroid), 3857) AS pt, ST_Y(coalesce(ap.point, b.centroid)) AS lat
            FROM appeal ap LEFT JOIN building b ON b.id = ap.building_id
           WHERE coalesce(ap.point, b.centroid) IS NOT NULL) a;

  CREATE TEMP TABLE hotspot_link ON COMMIT DROP AS
  WITH m AS (SELECT *, floor(extract(epoch FROM at) / w_s)::int AS tb FROM hotspot_member),
  probe AS (SELECT m.*, m.cx + dx AS ncx, m.cy + dy AS ncy, m.tb + dt AS ntb
              FROM m, generate_series(-1, 1) dx, generate_series(-1, 1) dy, generate_series(0, 1) dt)
  SELECT a.appeal_id AS a, b.appeal_id AS b
    FROM probe a JOIN m b ON b.category_id = a.category_id AND b.cx = a.ncx AND b.cy = a.ncy AND b.tb = a.ntb
   WHERE (b.tb > a.tb OR b.appeal_id > a.appeal_id)
     AND b.at BETWEEN a.at - w AND a.at + w AND hotspot_near(a.x, a.y, a.k, b.x, b.y, b.k);

  CREATE TEMP TABLE hotspot_label ON COMMIT DROP AS
  SELECT v AS appeal_id, v AS label FROM (SELECT a AS v FROM hotspot_link UNION SELECT b FROM hotspot_link) n;
  ALTER TABLE hotspot_label ADD PRIMARY KEY (appeal_id);
  ANALYZE hotspot_label;
  LOOP
    WITH best AS (
      SELECT e.x AS appeal_id, min(l.label) AS label
        FROM (SELECT a AS x, b AS y FROM hotspot_link UNION ALL SELECT b, a FROM hotspot_link) e
        JOIN hotspot_label l ON l.appeal_id = e.y GROUP BY e.x)
    UPDATE hotspot_label l SET label = best.label FROM best
     WHERE l.appeal_id = best.appeal_id AND best.label < l.label;
    GET DIAGNOSTICS changed = ROW_COUNT;
    EXIT WHEN changed = 0;
  END LOOP;

  -- Set ids come from the sequence: later sets made by the trigger never collide with these.
  CREATE TEMP TABLE hotspot_ids ON COMMIT DROP AS
  SELECT label, nextval(pg_get_serial_sequence('hotspot', 'id')) AS id FROM (SELECT DISTINCT label FROM hotspot_label) d;
  UPDATE hotspot_member m SET hotspot_id = i.id
    FROM hotspot_label l JOIN hotspot_ids i ON i.label = l.label WHERE m.appeal_id = l.appeal_id;
  INSERT INTO hotspot (id, category_id, appeals, first_at, last_at)
  SELECT hotspot_id, min(category_id), count(*), min(at), max(at) FROM hotspot_member
   WHERE hotspot_id IS NOT NULL GROUP BY hotspot_id;
  DROP TABLE hotspot_link, hotspot_label, hotspot_ids;
  ANALYZE hotspot_member;
  ANALYZE hotspot;
END $fn$;

DO $$ BEGIN PERFORM hotspot_rebuild(); END $$;
