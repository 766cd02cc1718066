-- Faster map rollups (migration 130).
-- appeal_hex_cell as PL/pgSQL arithmetic. Called from the map rollup trigger, the SQL version was
-- planned afresh on every call: about 0.4 ms a cell, ten cells an appeal, which made every appeal
-- insert — and an import of hundreds of thousands — several milliseconds slower. The expressions
-- and their types are the same, so every point keeps its cell (tests/planning).
CREATE OR REPLACE FUNCTION appeal_hex_cell(size float8, x float8, y float8, OUT i int, OUT j int)
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  q float8 := (2.0 / 3 * x) / size;
  r float8 := (-1.0 / 3 * x + sqrt(3.0) / 3 * y) / size;
  s float8 := -q - r;
  rq float8 := round(q);
  rr float8 := round(r);
  rs float8 := round(s);
  cq float8 := rq;
  cr float8 := rr;
BEGIN
  IF abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN cq := -rr - rs;
  ELSIF abs(rr - r) > abs(rs - s) THEN cr := -rq - rs;
  END IF;
  i := cq::int;
  j := (cr + floor(cq / 2.0))::int;
END $$;

-- Hexagon counts over every category. The planners' map opens on all categories, and a Kyiv-size
-- year at 250 m summed 1.5 million category rows per request; these tables hold one row per day
-- (month) × cell, kept by the same trigger call as the category rollups.
CREATE TABLE appeal_hex_day_all (
  size    int  NOT NULL,
  day     date NOT NULL,
  i       int  NOT NULL,
  j       int  NOT NULL,
  appeals int  NOT NULL,
  PRIMARY KEY (size, day, i, j)
);
CREATE TABLE appeal_hex_month_all (
  size    int  NOT NULL,
  month   date NOT NULL CHECK (extract(day FROM month) = 1),
  i       int  NOT NULL,
  j       int  NOT NULL,
  appeals int  NOT NULL,
  PRIMARY KEY (size, month, i, j)
);

CREATE OR REPLACE FUNCTION appeal_map_count(p geometry, building_of int, category_of int, at timestamptz, n int) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  d date := (at AT TIME ZONE 'Europe/Kyiv')::date;
  m date := date_trunc('month', (at AT TIME ZONE 'Europe/Kyiv')::date)::date;
  pt geometry := ST_Transform(appeal_map_point(p, building_of), 3857);
  dist int := appeal_map_district(p, building_of);
  sizes int[] := appeal_hex_sizes();
  ci int[] := '{}';
  cj int[] := '{}';
  c record;
BEGIN
  IF pt IS NOT NULL THEN
    -- Each size's cell once, for the four tables.
    FOR k IN 1 .. array_length(sizes, 1) LOOP
      c := appeal_hex_cell(sizes[k], ST_X(pt), ST_Y(pt));
      ci := ci || c.i;
      cj := cj || c.j;
    END LOOP;
    INSERT INTO appeal_hex_day AS h (size, day, category_id, i, j, appeals)
    SELECT s, d, category_of, i, j, n FROM unnest(sizes, ci, cj) AS u (s, i, j)
    ON CONFLICT (size, day, category_id, i, j) DO UPDATE SET appeals = h.appeals + EXCLUDED.appeals;
    INSERT INTO appeal_hex_month AS h (size, month, category_id, i, j, appeals)
    SELECT s, m, category_of, i, j, n FROM unnest(sizes, ci, cj) AS u (s, i, j)
    ON CONFLICT (size, month, category_id, i, j) DO UPDATE SET appeals = h.appeals + EXCLUDED.appeals;
    INSERT INTO appeal_hex_day_all AS h (size, day, i, j, appeals)
    SELECT s, d, i, j, n FROM unnest(sizes, ci, cj) AS u (s, i, j)
    ON CONFLICT (size, day, i, j) DO UPDATE SET appeals = h.appeals + EXCLUDED.appeals;
    INSERT INTO appeal_hex_month_all AS h (size, month, i, j, appeals)
    SELECT s, m, i, j, n FROM unnest(sizes, ci, cj) AS u (s, i, j)
    ON CONFLICT (size, month, i, j) DO UPDATE SET appeals = h.appeals + EXCLUDED.appeals;
  END IF;
  IF dist IS NOT NULL THEN
    INSERT INTO appeal_district_day AS r (day, category_id, district_id, appeals) VALUES (d, category_of, dist, n)
    ON CONFLICT (day, category_id, district_id) DO UPDATE SET appeals = r.appeals + EXCLUDED.appeals;
  END IF;
END $$;

-- The rebuild with the same arithmetic written out over columns, so the planner sees expressions
-- rather than fifty million function calls (a Kyiv-size year: minutes instead of a quarter hour).
-- tests/planning holds the rebuild equal to what the trigger kept through appeal_hex_cell.
CREATE OR REPLACE FUNCTION appeal_map_rebuild() RETURNS void LANGUAGE plpgsql
  SET work_mem = '256MB' AS $fn$
BEGIN
  TRUNCATE appeal_hex_day, appeal_hex_month, appeal_district_day, appeal_hex_day_all, appeal_hex_month_all;

  WITH a AS MATERIALIZED (
    SELECT (ap.created_at AT TIME ZONE 'Europe/Kyiv')::date AS day, ap.category_id,
           ST_Transform(coalesce(ap.point, b.centroid), 3857) AS pt
      FROM appeal ap LEFT JOIN building b ON b.id = ap.building_id
     WHERE coalesce(ap.point, b.centroid) IS NOT NULL),
  qr AS (
    SELECT a.day, a.category_id, s AS size, (2.0 / 3 * ST_X(a.pt)) / s AS q, (-1.0 / 3 * ST_X(a.pt) + sqrt(3.0) / 3 * ST_Y(a.pt)) / s AS r
      FROM a, unnest(appeal_hex_sizes()) s),
  qrs AS (SELECT day, category_id, size, q, r, -q - r AS s FROM qr),
  -- Materialised, so each rounding is computed once rather than inlined into every CASE.
  rounded AS MATERIALIZED (SELECT *, round(q) AS rq, round(r) AS rr, round(s) AS rs FROM qrs),
  cube AS (
    SELECT day, category_id, size,
           CASE WHEN abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN -rr - rs ELSE rq END AS cq,
           CASE WHEN abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN rr
                WHEN abs(rr - r) > abs(rs - s) THEN -rq - rs ELSE rr END AS cr
      FROM rounded)
  INSERT INTO appeal_hex_day (size, day, category_id, i, j, appeals)
  SELECT size, day, category_id, cq::int, (cr + floor(cq / 2.0))::int, count(*)
    FROM cube GROUP BY 1, 2, 3, 4, 5;

  INSERT INTO appeal_hex_month (size, month, category_id, i, j, appeals)
  SELECT size, date_trunc('month', day)::date, category_id, i, j, sum(appeals) FROM appeal_hex_day GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO appeal_hex_day_all (size, day, i, j, appeals)
  SELECT size, day, i, j, sum(appeals) FROM appeal_hex_day GROUP BY 1, 2, 3, 4;
  INSERT INTO appeal_hex_month_all (size, month, i, j, appeals)
  SELECT size, month, i, j, sum(appeals) FROM appeal_hex_month GROUP BY 1, 2, 3, 4;

  WITH a AS (
    SELECT (ap.created_at AT TIME ZONE 'Europe/Kyiv')::date AS day, ap.category_id,
           coalesce(b.district_id, (SELECT d.id FROM district d WHERE ST_Intersects(d.geom, ap.point) ORDER BY d.id LIMIT 1)) AS district_id
      FROM appeal ap LEFT JOIN building b ON b.id = ap.building_id)
  INSERT INTO appeal_district_day (day, category_id, district_id, appeals)
  SELECT day, category_id, district_id, count(*) FROM a WHERE district_id IS NOT NULL GROUP BY 1, 2, 3;
END $fn$;

DO $$ BEGIN PERFORM appeal_map_rebuild(); END $$;
