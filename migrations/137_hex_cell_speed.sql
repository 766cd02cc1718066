-- appeal_hex_cell (migration 130) as PL/pgSQL arithmetic, and its rebuild without a call per cell.
-- Called from the map rollup trigger, the SQL version was planned afresh on every call: about
-- 0.4 ms a cell, ten cells an appeal, which made every appeal insert — and an import of hundreds of
-- thousands — several milliseconds slower. The expressions and their types are the same, so every
-- point keeps its cell (tests/planning).
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

-- The rebuild with the same arithmetic written out over columns, so the planner sees expressions
-- rather than fifty million function calls (a Kyiv-size year: minutes instead of a quarter hour).
-- tests/planning holds the rebuild equal to what the trigger kept through appeal_hex_cell.
CREATE OR REPLACE FUNCTION appeal_map_rebuild() RETURNS void LANGUAGE plpgsql
  SET work_mem = '256MB' AS $fn$
BEGIN
  TRUNCATE appeal_hex_day, appeal_hex_month, appeal_district_day;

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

  WITH a AS (
    SELECT (ap.created_at AT TIME ZONE 'Europe/Kyiv')::date AS day, ap.category_id,
           coalesce(b.district_id, (SELECT d.id FROM district d WHERE ST_Intersects(d.geom, ap.point) ORDER BY d.id LIMIT 1)) AS district_id
      FROM appeal ap LEFT JOIN building b ON b.id = ap.building_id)
  INSERT INTO appeal_district_day (day, category_id, district_id, appeals)
  SELECT day, category_id, district_id, count(*) FROM a WHERE district_id IS NOT NULL GROUP BY 1, 2, 3;
END $fn$;
