-- Hexagon counts over every category. The planners' map opens on all categories, and a Kyiv-size
-- year at 250 m summed 1.5 million category rows per request; these tables hold one row per day
-- (month) × cell, kept by the same trigger call as the category rollups (migration 130) and
-- rebuilt from them.
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

-- The totals from the category rollups, after appeal_map_rebuild (which the seeder and a bulk
-- import call) and for what is already here.
CREATE FUNCTION appeal_hex_totals_rebuild() RETURNS void LANGUAGE plpgsql
  SET work_mem = '256MB' AS $fn$
BEGIN
  TRUNCATE appeal_hex_day_all, appeal_hex_month_all;
  INSERT INTO appeal_hex_day_all (size, day, i, j, appeals)
  SELECT size, day, i, j, sum(appeals) FROM appeal_hex_day GROUP BY 1, 2, 3, 4 HAVING sum(appeals) <> 0;
  INSERT INTO appeal_hex_month_all (size, month, i, j, appeals)
  SELECT size, month, i, j, sum(appeals) FROM appeal_hex_month GROUP BY 1, 2, 3, 4 HAVING sum(appeals) <> 0;
END $fn$;

DO $$ BEGIN PERFORM appeal_hex_totals_rebuild(); END $$;
