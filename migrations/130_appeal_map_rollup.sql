-- Planners' maps aggregate appeals per Kyiv day (and month) × category into hexagon cells of fixed
-- sizes and per day into districts. The rollups are kept current by a trigger on appeal, so a year on a city of millions of
-- appeals reads thousands of rollup rows rather than millions of appeals.
--
-- Cells are ST_HexagonGrid's (flat-topped, EPSG:3857, anchored at the origin): cell (i, j) of size s
-- is ST_Hexagon(s, i, j). appeal_hex_cell finds a point's cell by arithmetic (cube rounding), which
-- a backfill of millions of rows can afford; it agrees with ST_HexagonGrid (tests/planning).
-- The sizes here and MAP_HEX_SIZES in vocabulary/planning.ts are one list.
CREATE FUNCTION appeal_hex_sizes() RETURNS int[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ARRAY[250, 500, 1000, 2000, 4000];

CREATE FUNCTION appeal_hex_cell(size float8, x float8, y float8, OUT i int, OUT j int)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH a AS (SELECT (2.0 / 3 * x) / size AS q, (-1.0 / 3 * x + sqrt(3.0) / 3 * y) / size AS r),
  c AS (SELECT q, r, -q - r AS s, round(q) AS rq, round(r) AS rr, round(-q - r) AS rs FROM a),
  d AS (SELECT CASE WHEN abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN -rr - rs ELSE rq END AS cq,
               CASE WHEN abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN rr
                    WHEN abs(rr - r) > abs(rs - s) THEN -rq - rs ELSE rr END AS cr
          FROM c)
  SELECT cq::int, (cr + floor(cq / 2.0))::int FROM d
$$;

CREATE TABLE appeal_hex_day (
  size        int  NOT NULL,
  day         date NOT NULL,
  category_id int  NOT NULL REFERENCES category,
  i           int  NOT NULL,
  j           int  NOT NULL,
  appeals     int  NOT NULL,
  PRIMARY KEY (size, day, category_id, i, j)
);

-- The same per calendar month: a year reads twelve months and the days at its edges.
CREATE TABLE appeal_hex_month (
  size        int  NOT NULL,
  month       date NOT NULL CHECK (extract(day FROM month) = 1),
  category_id int  NOT NULL REFERENCES category,
  i           int  NOT NULL,
  j           int  NOT NULL,
  appeals     int  NOT NULL,
  PRIMARY KEY (size, month, category_id, i, j)
);

CREATE TABLE appeal_district_day (
  day         date NOT NULL,
  category_id int  NOT NULL REFERENCES category,
  district_id int  NOT NULL REFERENCES district,
  appeals     int  NOT NULL,
  PRIMARY KEY (day, category_id, district_id)
);
CREATE INDEX appeal_district_day_district_idx ON appeal_district_day (district_id, day);

-- Where an appeal is on the map: its point, else its building's.
CREATE FUNCTION appeal_map_point(p geometry, building_of int) RETURNS geometry LANGUAGE sql STABLE PARALLEL SAFE
  RETURN coalesce(p, (SELECT b.centroid FROM building b WHERE b.id = building_of));

-- Its district: its building's, else the one its point lies in.
CREATE FUNCTION appeal_map_district(p geometry, building_of int) RETURNS int LANGUAGE sql STABLE PARALLEL SAFE
  RETURN coalesce((SELECT b.district_id FROM building b WHERE b.id = building_of),
                  (SELECT d.id FROM district d WHERE p IS NOT NULL AND ST_Intersects(d.geom, p) ORDER BY d.id LIMIT 1));

CREATE FUNCTION appeal_map_count(p geometry, building_of int, category_of int, at timestamptz, n int) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  d date := (at AT TIME ZONE 'Europe/Kyiv')::date;
  pt geometry := ST_Transform(appeal_map_point(p, building_of), 3857);
  dist int := appeal_map_district(p, building_of);
BEGIN
  IF pt IS NOT NULL THEN
    INSERT INTO appeal_hex_day AS h (size, day, category_id, i, j, appeals)
    SELECT s, d, category_of, c.i, c.j, n FROM unnest(appeal_hex_sizes()) s, appeal_hex_cell(s, ST_X(pt), ST_Y(pt)) c
    ON CONFLICT (size, day, category_id, i, j) DO UPDATE SET appeals = h.appeals + EXCLUDED.appeals;
    INSERT INTO appeal_hex_month AS h (size, month, category_id, i, j, appeals)
    SELECT s, date_trunc('month', d)::date, category_of, c.i, c.j, n FROM unnest(appeal_hex_sizes()) s, appeal_hex_cell(s, ST_X(pt), ST_Y(pt)) c
    ON CONFLICT (size, month, category_id, i, j) DO UPDATE SET appeals = h.appeals + EXCLUDED.appeals;
  END IF;
  IF dist IS NOT NULL THEN
    INSERT INTO appeal_district_day AS r (day, category_id, district_id, appeals) VALUES (d, category_of, dist, n)
    ON CONFLICT (day, category_id, district_id) DO UPDATE SET appeals = r.appeals + EXCLUDED.appeals;
  END IF;
END $$;

CREATE FUNCTION appeal_map_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM appeal_map_count(OLD.point, OLD.building_id, OLD.category_id, OLD.created_at, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM appeal_map_count(NEW.point, NEW.building_id, NEW.category_id, NEW.created_at, 1);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER appeal_map_rollup_insert AFTER INSERT OR DELETE ON appeal
  FOR EACH ROW EXECUTE FUNCTION appeal_map_rollup();
-- The point is compared as its bytes: pg_restore recreates triggers with an empty search_path,
-- where geometry's = operator cannot be resolved.
CREATE TRIGGER appeal_map_rollup_update AFTER UPDATE OF point, building_id, category_id, created_at ON appeal
  FOR EACH ROW WHEN (OLD.point::bytea IS DISTINCT FROM NEW.point::bytea OR OLD.building_id IS DISTINCT FROM NEW.building_id
                     OR OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION appeal_map_rollup();

-- The rollups from scratch, in one pass each: after bulk loads that bypass triggers (the demo
-- seeder's COPY under session_replication_role = replica, an import), and for what is already here.
CREATE FUNCTION appeal_map_rebuild() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  TRUNCATE appeal_hex_day, appeal_hex_month, appeal_district_day;

  WITH a AS (
    SELECT (ap.created_at AT TIME ZONE 'Europe/Kyiv')::date AS day, ap.category_id,
           ST_Transform(coalesce(ap.point, b.centroid), 3857) AS pt
      FROM appeal ap LEFT JOIN building b ON b.id = ap.building_id
     WHERE coalesce(ap.point, b.centroid) IS NOT NULL)
  INSERT INTO appeal_hex_day (size, day, category_id, i, j, appeals)
  SELECT s, a.day, a.category_id, c.i, c.j, count(*)
    FROM a, unnest(appeal_hex_sizes()) s, appeal_hex_cell(s, ST_X(a.pt), ST_Y(a.pt)) c
   GROUP BY 1, 2, 3, 4, 5;

  INSERT INTO appeal_hex_month (size, month, category_id, i, j, appeals)
  SELECT size, date_trunc('month', day)::date, category_id, i, j, sum(appeals) FROM appeal_hex_day GROUP BY 1, 2, 3, 4, 5;

  WITH a AS (
    SELECT (ap.created_at AT TIME ZONE 'Europe/Kyiv')::date AS day, ap.category_id,
           coalesce(b.district_id, (SELECT d.id FROM district d WHERE ST_Intersects(d.geom, ap.point) ORDER BY d.id LIMIT 1)) AS district_id
      FROM appeal ap LEFT JOIN building b ON b.id = ap.building_id)
  INSERT INTO appeal_district_day (day, category_id, district_id, appeals)
  SELECT day, category_id, district_id, count(*) FROM a WHERE district_id IS NOT NULL GROUP BY 1, 2, 3;
END $fn$;

DO $$ BEGIN PERFORM appeal_map_rebuild(); END $$;
