-- Hotspots: appeals about the same place again and again. Two appeals of one category are linked
-- when they name the same place and were registered within hotspot_window_days() of each other; a
-- hotspot is a connected set of linked appeals. The place is the infrastructure object the appeal
-- names, else its building, else the building its point lies in; an appeal with only a point
-- elsewhere (a pothole, a fallen tree) is linked to such others within hotspot_radius_m() metres —
-- single linkage in space and time, DBSCAN with one point over both. Sets are formed over the
-- whole history and kept current by a trigger on appeal, so a planner's period reads the few sets
-- that have appeals in it instead of clustering millions of appeals per request.
-- Linking by place and time rather than by distance alone keeps a set about one episode of one
-- place: at Kyiv's density, 50 m between neighbouring buildings would chain a whole district.
CREATE FUNCTION hotspot_radius_m() RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN 50;
CREATE FUNCTION hotspot_window_days() RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN 14;
-- Grid cells (EPSG:3857 units) for finding neighbours: a cell is wider than the radius in those
-- units anywhere below 66° of latitude (50 m / cos φ), so a neighbour is in one of the 3 × 3 cells.
CREATE FUNCTION hotspot_cell_size() RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN 125;

-- The place an appeal names: its object (negative ids), else its building, else the building its
-- point lies in; NULL for a point elsewhere.
CREATE FUNCTION hotspot_place(building int, infra int, p geometry) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
  RETURN CASE WHEN infra IS NOT NULL THEN -infra::bigint
              WHEN building IS NOT NULL THEN building::bigint
              ELSE (SELECT b.id FROM building b WHERE p IS NOT NULL AND ST_Intersects(b.geom, p) ORDER BY b.id LIMIT 1) END;

-- One row per appeal that has a place or a point: the place, where (EPSG:3857 and the latitude's
-- stretch 1/cos φ, for the centroid and for points), when, its grid cell, and the set it belongs
-- to (NULL while it is linked to nothing).
CREATE TABLE hotspot_member (
  appeal_id   bigint PRIMARY KEY,
  category_id int NOT NULL,
  place       bigint,
  building_id int,
  x           float8 NOT NULL,
  y           float8 NOT NULL,
  k           float8 NOT NULL,
  cx          int NOT NULL,
  cy          int NOT NULL,
  at          timestamptz NOT NULL,
  hotspot_id  bigint
);
CREATE INDEX hotspot_member_place_idx ON hotspot_member (category_id, place, at) WHERE place IS NOT NULL;
CREATE INDEX hotspot_member_near_idx ON hotspot_member (category_id, cx, cy, at) WHERE place IS NULL;
CREATE INDEX hotspot_member_set_idx ON hotspot_member (hotspot_id, at) WHERE hotspot_id IS NOT NULL;

-- One row per set of at least two linked appeals, with what a list shows of a set wholly inside
-- its period: where (the members' mean, EPSG:3857), the building most of them name, and the mean
-- and spread of the days between consecutive appeals.
CREATE TABLE hotspot (
  id          bigserial PRIMARY KEY,
  category_id int NOT NULL,
  appeals     int NOT NULL,
  first_at    timestamptz NOT NULL,
  last_at     timestamptz NOT NULL,
  x           float8 NOT NULL,
  y           float8 NOT NULL,
  building_id int,
  gap_mean    float8,
  gap_sd      float8
);
CREATE INDEX hotspot_size_idx ON hotspot (appeals DESC, last_at DESC);
CREATE INDEX hotspot_category_size_idx ON hotspot (category_id, appeals DESC, last_at DESC);
-- The sets that ended within a short period.
CREATE INDEX hotspot_last_idx ON hotspot (last_at);
-- The sets a period's edge cuts through.
CREATE INDEX hotspot_span_idx ON hotspot USING gist (tstzrange(first_at, last_at, '[]'));

-- Are two points near enough? Distances in EPSG:3857 are stretched by 1/cos φ; the mean stretch of
-- the two keeps the test symmetric.
CREATE FUNCTION hotspot_near(x1 float8, y1 float8, k1 float8, x2 float8, y2 float8, k2 float8) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (x1 - x2) ^ 2 + (y1 - y2) ^ 2 <= (hotspot_radius_m() * (k1 + k2) / 2) ^ 2;

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
  INSERT INTO hotspot AS h (id, category_id, appeals, first_at, last_at, x, y, building_id, gap_mean, gap_sd)
  SELECT set_id, min(category_id), count(*), min(at), max(at), avg(x), avg(y),
         mode() WITHIN GROUP (ORDER BY building_id), avg(gap), stddev_pop(gap)
    FROM (SELECT m.*, extract(epoch FROM m.at - lag(m.at) OVER (ORDER BY m.at, m.appeal_id)) / 86400 AS gap
            FROM hotspot_member m WHERE m.hotspot_id = set_id) g
  ON CONFLICT (id) DO UPDATE SET category_id = EXCLUDED.category_id, appeals = EXCLUDED.appeals,
                                 first_at = EXCLUDED.first_at, last_at = EXCLUDED.last_at, x = EXCLUDED.x, y = EXCLUDED.y,
                                 building_id = EXCLUDED.building_id, gap_mean = EXCLUDED.gap_mean, gap_sd = EXCLUDED.gap_sd;
END $$;

-- An appeal joins: it links the sets and lone appeals near it into one set.
CREATE FUNCTION hotspot_add(id bigint, category int, p geometry, building int, infra int, t timestamptz) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  pt geometry := ST_Transform(p, 3857);
  px float8 := ST_X(pt);
  py float8 := ST_Y(pt);
  pk float8 := 1 / cos(radians(ST_Y(p)));
  pcx int := floor(px / hotspot_cell_size());
  pcy int := floor(py / hotspot_cell_size());
  pplace bigint := hotspot_place(building, infra, p);
  w interval := make_interval(hours => hotspot_window_days() * 24);
  sets bigint[];
  lone bigint[];
  target bigint;
BEGIN
  -- The members linked to it: same category, within the window, and the same place — or, for a
  -- point that is no place, a point in a neighbouring cell near enough. (Inline rather than a SQL
  -- function: PL/pgSQL keeps this plan, a SQL function would be planned on every call.)
  SELECT array_agg(DISTINCT n.hotspot_id) FILTER (WHERE n.hotspot_id IS NOT NULL),
         array_agg(n.appeal_id) FILTER (WHERE n.hotspot_id IS NULL)
    INTO sets, lone
    FROM (SELECT m.appeal_id, m.hotspot_id FROM hotspot_member m
           WHERE pplace IS NOT NULL AND m.category_id = category AND m.place = pplace
             AND m.at BETWEEN t - w AND t + w
          UNION ALL
          SELECT m.appeal_id, m.hotspot_id FROM hotspot_member m
           WHERE pplace IS NULL AND m.place IS NULL AND m.category_id = category
             AND m.cx BETWEEN pcx - 1 AND pcx + 1 AND m.cy BETWEEN pcy - 1 AND pcy + 1
             AND m.at BETWEEN t - w AND t + w AND hotspot_near(m.x, m.y, m.k, px, py, pk)) n;
  IF sets IS NOT NULL THEN target := (SELECT min(s) FROM unnest(sets) s);
  ELSIF lone IS NOT NULL THEN target := nextval(pg_get_serial_sequence('hotspot', 'id'));
  END IF;
  INSERT INTO hotspot_member (appeal_id, category_id, place, building_id, x, y, k, cx, cy, at, hotspot_id)
  VALUES (id, category, pplace, building, px, py, pk, pcx, pcy, t, target);
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
        JOIN hotspot_member b ON b.hotspot_id = old_set
             AND b.at BETWEEN a.at - make_interval(hours => hotspot_window_days() * 24) AND a.at + make_interval(hours => hotspot_window_days() * 24)
             AND (a.place = b.place OR (a.place IS NULL AND b.place IS NULL AND hotspot_near(a.x, a.y, a.k, b.x, b.y, b.k))))
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
    IF p IS NOT NULL THEN PERFORM hotspot_add(NEW.id, NEW.category_id, p, NEW.building_id, NEW.infra_object_id, NEW.created_at); END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER hotspot_track_insert AFTER INSERT OR DELETE ON appeal
  FOR EACH ROW EXECUTE FUNCTION hotspot_track();
-- The point is compared as its bytes, as in migration 130 (pg_restore's empty search_path).
CREATE TRIGGER hotspot_track_update AFTER UPDATE OF point, building_id, infra_object_id, category_id, created_at ON appeal
  FOR EACH ROW WHEN (OLD.point::bytea IS DISTINCT FROM NEW.point::bytea OR OLD.building_id IS DISTINCT FROM NEW.building_id
                     OR OLD.infra_object_id IS DISTINCT FROM NEW.infra_object_id
                     OR OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION hotspot_track();

-- Everything from scratch, set-based: after bulk loads that bypass the trigger, and for what is
-- already here. A place's appeals in time order are runs split where the window passes without
-- one: one sort, then the runs of two or more get set ids. Points that are no place are linked by
-- a join on grid cell and window-long time bucket (each pair met once: the cell itself and the
-- four cells after it in the same bucket, all nine in the next), and their sets labelled by
-- propagating the smallest appeal id along links. Members are written once, with their set.
CREATE FUNCTION hotspot_rebuild() RETURNS void LANGUAGE plpgsql
  SET work_mem = '256MB' AS $fn$
DECLARE
  w interval := make_interval(hours => hotspot_window_days() * 24);
  changed bigint;
BEGIN
  TRUNCATE hotspot, hotspot_member;
  CREATE TEMP TABLE hotspot_base ON COMMIT DROP AS
  SELECT id AS appeal_id, category_id, hotspot_place(building_id, infra_object_id, p) AS place, building_id,
         ST_X(pt) AS x, ST_Y(pt) AS y, 1 / cos(radians(ST_Y(p))) AS k,
         floor(ST_X(pt) / hotspot_cell_size())::int AS cx, floor(ST_Y(pt) / hotspot_cell_size())::int AS cy, created_at AS at
    FROM (SELECT ap.id, ap.category_id, ap.building_id, ap.infra_object_id, ap.created_at, q.p, ST_Transform(q.p, 3857) AS pt
            FROM appeal ap LEFT JOIN building b ON b.id = ap.building_id, LATERAL (SELECT coalesce(ap.point, b.centroid) AS p) q
           WHERE q.p IS NOT NULL) a;

  -- Places: runs, numbered within their place.
  CREATE TEMP TABLE hotspot_run ON COMMIT DROP AS
  SELECT r.*, sum(brk) OVER (PARTITION BY category_id, place ORDER BY at, appeal_id) AS run
    FROM (SELECT b.*, CASE WHEN at - lag(at) OVER (PARTITION BY category_id, place ORDER BY at, appeal_id) <= w THEN 0 ELSE 1 END AS brk
            FROM hotspot_base b WHERE place IS NOT NULL) r;
  -- Set ids come from the sequence: later sets made by the trigger never collide with these.
  CREATE TEMP TABLE hotspot_run_set ON COMMIT DROP AS
  SELECT category_id, place, run, nextval(pg_get_serial_sequence('hotspot', 'id')) AS id
    FROM hotspot_run GROUP BY 1, 2, 3 HAVING count(*) > 1;
  INSERT INTO hotspot_member (appeal_id, category_id, place, building_id, x, y, k, cx, cy, at, hotspot_id)
  SELECT r.appeal_id, r.category_id, r.place, r.building_id, r.x, r.y, r.k, r.cx, r.cy, r.at, s.id
    FROM hotspot_run r LEFT JOIN hotspot_run_set s ON s.category_id = r.category_id AND s.place = r.place AND s.run = r.run;

  -- Points: links, then labels.
  CREATE TEMP TABLE hotspot_point ON COMMIT DROP AS
  SELECT b.*, floor(extract(epoch FROM at) / extract(epoch FROM w))::int AS tb FROM hotspot_base b WHERE place IS NULL;
  ANALYZE hotspot_point;
  CREATE TEMP TABLE hotspot_link ON COMMIT DROP AS
  SELECT a.appeal_id AS a, b.appeal_id AS b
    FROM hotspot_point a
   CROSS JOIN (VALUES (0, 0, 0), (1, -1, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0),
                      (-1, -1, 1), (-1, 0, 1), (-1, 1, 1), (0, -1, 1), (0, 0, 1), (0, 1, 1), (1, -1, 1), (1, 0, 1), (1, 1, 1)) d (dx, dy, dt)
    JOIN hotspot_point b ON b.category_id = a.category_id AND b.cx = a.cx + d.dx AND b.cy = a.cy + d.dy AND b.tb = a.tb + d.dt
   WHERE (d.dx <> 0 OR d.dy <> 0 OR d.dt <> 0 OR b.appeal_id > a.appeal_id)
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
  CREATE TEMP TABLE hotspot_label_set ON COMMIT DROP AS
  SELECT label, nextval(pg_get_serial_sequence('hotspot', 'id')) AS id FROM (SELECT DISTINCT label FROM hotspot_label) d;
  INSERT INTO hotspot_member (appeal_id, category_id, place, building_id, x, y, k, cx, cy, at, hotspot_id)
  SELECT p.appeal_id, p.category_id, p.place, p.building_id, p.x, p.y, p.k, p.cx, p.cy, p.at, s.id
    FROM hotspot_point p LEFT JOIN hotspot_label l ON l.appeal_id = p.appeal_id LEFT JOIN hotspot_label_set s ON s.label = l.label;

  INSERT INTO hotspot (id, category_id, appeals, first_at, last_at, x, y, building_id, gap_mean, gap_sd)
  SELECT hotspot_id, min(category_id), count(*), min(at), max(at), avg(x), avg(y),
         mode() WITHIN GROUP (ORDER BY building_id), avg(gap), stddev_pop(gap)
    FROM (SELECT hotspot_id, category_id, at, x, y, building_id,
                 extract(epoch FROM at - lag(at) OVER (PARTITION BY hotspot_id ORDER BY at, appeal_id)) / 86400 AS gap
            FROM hotspot_member WHERE hotspot_id IS NOT NULL) g
   GROUP BY hotspot_id;
  DROP TABLE hotspot_base, hotspot_run, hotspot_run_set, hotspot_point, hotspot_link, hotspot_label, hotspot_label_set;
  ANALYZE hotspot_member;
  ANALYZE hotspot;
END $fn$;

DO $$ BEGIN PERFORM hotspot_rebuild(); END $$;
