-- Many appeals at once into the rollups: a historic import of hundreds of thousands of rows turns the
-- row triggers off while it inserts, then hands the new ids to one set-based function per rollup
-- (gis-data/rollups.ts) instead of rebuilding every rollup from the whole appeal table — the cost
-- follows the file, not the city. Each function counts exactly what the row triggers would have;
-- tests/gis-data/import-appeals holds the result equal to a rebuild from scratch.
--
-- The map and statistics rebuilds and the adds share one definition of what an appeal contributes
-- (appeal_map_cells, appeal_map_districts, appeal_stat_rows, appeal_stat_open_rows): ids NULL is
-- every appeal. They are SQL functions the planner inlines, so a constant NULL folds away and a
-- rebuild still scans appeal once.

-- The rollups are derived from appeal, whose own references hold: a foreign-key check per rollup
-- row made their rebuild and every bulk add about twice as slow.
ALTER TABLE appeal_hex_day DROP CONSTRAINT appeal_hex_day_category_id_fkey;
ALTER TABLE appeal_hex_month DROP CONSTRAINT appeal_hex_month_category_id_fkey;
ALTER TABLE appeal_district_day DROP CONSTRAINT appeal_district_day_category_id_fkey;
ALTER TABLE appeal_district_day DROP CONSTRAINT appeal_district_day_district_id_fkey;
ALTER TABLE announcement_appeal_day DROP CONSTRAINT announcement_appeal_day_category_id_fkey;

-- The hexagon cells of appeals, per Kyiv day × category: appeal_hex_cell's arithmetic written out
-- over columns (migration 137), the rounding computed once per row.
CREATE FUNCTION appeal_map_cells(ids bigint[])
  RETURNS TABLE (size int, day date, category_id int, i int, j int, appeals int)
  LANGUAGE sql STABLE AS $$
  WITH a AS MATERIALIZED (
    SELECT (ap.created_at AT TIME ZONE 'Europe/Kyiv')::date AS day, ap.category_id,
           ST_Transform(coalesce(ap.point, b.centroid), 3857) AS pt
      FROM appeal ap LEFT JOIN building b ON b.id = ap.building_id
     WHERE (ids IS NULL OR ap.id = ANY(ids)) AND coalesce(ap.point, b.centroid) IS NOT NULL),
  qr AS (
    SELECT a.day, a.category_id, s AS size, (2.0 / 3 * ST_X(a.pt)) / s AS q, (-1.0 / 3 * ST_X(a.pt) + sqrt(3.0) / 3 * ST_Y(a.pt)) / s AS r
      FROM a, unnest(appeal_hex_sizes()) s),
  qrs AS (SELECT day, category_id, size, q, r, -q - r AS s FROM qr),
  rounded AS MATERIALIZED (SELECT *, round(q) AS rq, round(r) AS rr, round(s) AS rs FROM qrs),
  cube AS (
    SELECT day, category_id, size,
           CASE WHEN abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN -rr - rs ELSE rq END AS cq,
           CASE WHEN abs(rq - q) > abs(rr - r) AND abs(rq - q) > abs(rs - s) THEN rr
                WHEN abs(rr - r) > abs(rs - s) THEN -rq - rs ELSE rr END AS cr
      FROM rounded)
  SELECT size, day, category_id, cq::int, (cr + floor(cq / 2.0))::int, count(*)::int
    FROM cube GROUP BY 1, 2, 3, 4, 5
$$;

CREATE FUNCTION appeal_map_districts(ids bigint[])
  RETURNS TABLE (day date, category_id int, district_id int, appeals int)
  LANGUAGE sql STABLE AS $$
  WITH a AS (
    SELECT (ap.created_at AT TIME ZONE 'Europe/Kyiv')::date AS day, ap.category_id,
           coalesce(b.district_id, (SELECT d.id FROM district d WHERE ST_Intersects(d.geom, ap.point) ORDER BY d.id LIMIT 1)) AS district_id
      FROM appeal ap LEFT JOIN building b ON b.id = ap.building_id
     WHERE ids IS NULL OR ap.id = ANY(ids))
  SELECT day, category_id, district_id, count(*)::int FROM a WHERE district_id IS NOT NULL GROUP BY 1, 2, 3
$$;

-- Rows go in in key order: neighbouring keys share index pages.
CREATE OR REPLACE FUNCTION appeal_map_rebuild() RETURNS void LANGUAGE plpgsql
  SET work_mem = '256MB' AS $fn$
BEGIN
  TRUNCATE appeal_hex_day, appeal_hex_month, appeal_district_day, appeal_hex_day_all, appeal_hex_month_all;
  INSERT INTO appeal_hex_day (size, day, category_id, i, j, appeals)
  SELECT * FROM appeal_map_cells(NULL) ORDER BY 1, 2, 3, 4, 5;
  INSERT INTO appeal_hex_month (size, month, category_id, i, j, appeals)
  SELECT size, date_trunc('month', day)::date, category_id, i, j, sum(appeals) FROM appeal_hex_day GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
  INSERT INTO appeal_hex_day_all (size, day, i, j, appeals)
  SELECT size, day, i, j, sum(appeals) FROM appeal_hex_day GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
  INSERT INTO appeal_hex_month_all (size, month, i, j, appeals)
  SELECT size, month, i, j, sum(appeals) FROM appeal_hex_month GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
  INSERT INTO appeal_district_day (day, category_id, district_id, appeals)
  SELECT * FROM appeal_map_districts(NULL);
END $fn$;

-- Adds the counts of `source` (rows of target's shape) to `target`: rows whose key is there are
-- updated, the others inserted in key order. Two set-based statements rather than ON CONFLICT,
-- which is three times slower a row; the lock keeps the row triggers of other sessions from
-- inserting a key between the two until this transaction ends.
CREATE FUNCTION rollup_merge(target regclass, source regclass, nkeys int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  keys text;
  on_keys text;
  sets text;
BEGIN
  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FILTER (WHERE attnum <= nkeys),
         string_agg(format('t.%1$I = s.%1$I', attname), ' AND ' ORDER BY attnum) FILTER (WHERE attnum <= nkeys),
         string_agg(format('%1$I = t.%1$I + s.%1$I', attname), ', ' ORDER BY attnum) FILTER (WHERE attnum > nkeys)
    INTO keys, on_keys, sets
    FROM pg_attribute WHERE attrelid = target AND attnum > 0 AND NOT attisdropped;
  EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', target);
  EXECUTE format('UPDATE %s t SET %s FROM %s s WHERE %s', target, sets, source, on_keys);
  EXECUTE format('INSERT INTO %s SELECT s.* FROM %s s WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE %s) ORDER BY %s',
                 target, source, target, on_keys, keys);
END $$;

CREATE FUNCTION appeal_map_add(ids bigint[]) RETURNS void LANGUAGE plpgsql
  SET work_mem = '256MB' AS $fn$
BEGIN
  CREATE TEMP TABLE appeal_map_added ON COMMIT DROP AS SELECT * FROM appeal_map_cells(ids);
  CREATE TEMP TABLE appeal_map_added_month ON COMMIT DROP AS
  SELECT size, date_trunc('month', day)::date AS month, category_id, i, j, sum(appeals)::int AS appeals FROM appeal_map_added GROUP BY 1, 2, 3, 4, 5;
  CREATE TEMP TABLE appeal_map_added_day_all ON COMMIT DROP AS
  SELECT size, day, i, j, sum(appeals)::int AS appeals FROM appeal_map_added GROUP BY 1, 2, 3, 4;
  CREATE TEMP TABLE appeal_map_added_month_all ON COMMIT DROP AS
  SELECT size, month, i, j, sum(appeals)::int AS appeals FROM appeal_map_added_month GROUP BY 1, 2, 3, 4;
  CREATE TEMP TABLE appeal_map_added_district ON COMMIT DROP AS SELECT * FROM appeal_map_districts(ids);
  ANALYZE appeal_map_added, appeal_map_added_month, appeal_map_added_day_all, appeal_map_added_month_all, appeal_map_added_district;
  PERFORM rollup_merge('appeal_hex_day', 'pg_temp.appeal_map_added', 5);
  PERFORM rollup_merge('appeal_hex_month', 'pg_temp.appeal_map_added_month', 5);
  PERFORM rollup_merge('appeal_hex_day_all', 'pg_temp.appeal_map_added_day_all', 4);
  PERFORM rollup_merge('appeal_hex_month_all', 'pg_temp.appeal_map_added_month_all', 4);
  PERFORM rollup_merge('appeal_district_day', 'pg_temp.appeal_map_added_district', 3);
  DROP TABLE appeal_map_added, appeal_map_added_month, appeal_map_added_day_all, appeal_map_added_month_all, appeal_map_added_district;
END $fn$;

-- Statistics (migrations 120, 121): the same aggregates as the rebuild, for the ids given.
CREATE FUNCTION appeal_stat_rows(ids bigint[], tick timestamptz) RETURNS SETOF appeal_stat_day
  LANGUAGE sql STABLE AS $$
  SELECT appeal_stat_kyiv_day(a.created_at), a.category_id, a.executor_id,
         coalesce(b.district_id, CASE WHEN a.building_id IS NULL THEN appeal_stat_district(NULL, a.point) END, 0), a.channel,
         count(*)::int, count(*) FILTER (WHERE a.status = 'new')::int, count(*) FILTER (WHERE a.status = 'in_progress')::int,
         count(*) FILTER (WHERE a.status = 'planned')::int, count(*) FILTER (WHERE a.status = 'done')::int,
         count(*) FILTER (WHERE a.status = 'control')::int, count(*) FILTER (WHERE a.status = 'explained')::int,
         count(*) FILTER (WHERE a.status = 'rejected')::int, count(*) FILTER (WHERE a.status = 'closed')::int,
         count(a.done_at)::int, count(*) FILTER (WHERE a.done_at > a.due_at)::int, count(*) FILTER (WHERE a.control_count > 0)::int,
         count(*) FILTER (WHERE a.confirmation = 'confirmed')::int, count(*) FILTER (WHERE a.confirmation = 'not_confirmed')::int,
         count(a.rating)::int, coalesce(sum(a.rating), 0)::int,
         coalesce(sum(CASE WHEN a.done_at IS NULL THEN 0 WHEN a.done_at <= a.due_at OR a.done_at <= a.created_at THEN 10000
                      ELSE greatest(0, round(10000 * date_part('epoch', a.due_at - a.created_at) / date_part('epoch', a.done_at - a.created_at)))::int END), 0)::bigint,
         count(*) FILTER (WHERE appeal_status_is_open(a.status) AND a.due_at < tick)::int
    FROM appeal a LEFT JOIN building b ON b.id = a.building_id
   WHERE ids IS NULL OR a.id = ANY(ids)
   GROUP BY 1, 2, 3, 4, 5
$$;

CREATE FUNCTION appeal_stat_open_rows(ids bigint[]) RETURNS SETOF appeal_stat_open
  LANGUAGE sql STABLE AS $$
  SELECT a.id, appeal_stat_kyiv_day(a.created_at), a.category_id, a.executor_id,
         coalesce(b.district_id, CASE WHEN a.building_id IS NULL THEN appeal_stat_district(NULL, a.point) END, 0), a.channel, a.due_at
    FROM appeal a LEFT JOIN building b ON b.id = a.building_id
   WHERE (ids IS NULL OR a.id = ANY(ids)) AND appeal_status_is_open(a.status)
$$;

-- The month and the per-category rows from day rows (the shape of appeal_stat_day).
CREATE FUNCTION appeal_stat_coarser(day_rows regclass, by_month boolean, by_category_only boolean) RETURNS SETOF appeal_stat_day
  LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY EXECUTE format(
    'SELECT %s, category_id, %s, %s, %s, sum(total)::int, sum(st_new)::int, sum(st_in_progress)::int, sum(st_planned)::int, sum(st_done)::int,
            sum(st_control)::int, sum(st_explained)::int, sum(st_rejected)::int, sum(st_closed)::int, sum(finished)::int, sum(late)::int,
            sum(returned)::int, sum(confirmed)::int, sum(not_confirmed)::int, sum(rated)::int, sum(rating_sum)::int, sum(speed_sum)::bigint, sum(overdue)::int
       FROM %s GROUP BY 1, 2, 3, 4, 5',
    CASE WHEN by_month THEN 'date_trunc(''month'', day)::date' ELSE 'day' END,
    CASE WHEN by_category_only THEN '0' ELSE 'executor_id' END,
    CASE WHEN by_category_only THEN '0' ELSE 'district_id' END,
    CASE WHEN by_category_only THEN '''''::text' ELSE 'channel' END,
    day_rows);
END $$;

CREATE OR REPLACE FUNCTION appeal_stats_rebuild() RETURNS void LANGUAGE plpgsql
  SET work_mem = '256MB' AS $$
DECLARE
  tick timestamptz;
BEGIN
  SELECT t.at INTO tick FROM appeal_stat_tick t WHERE t.id = 1 FOR UPDATE;
  TRUNCATE appeal_stat_day, appeal_stat_month, appeal_stat_open, appeal_stat_day_category;
  INSERT INTO appeal_stat_day SELECT * FROM appeal_stat_rows(NULL, tick) ORDER BY 1, 2, 3, 4, 5;
  INSERT INTO appeal_stat_month SELECT * FROM appeal_stat_coarser('appeal_stat_day', true, false);
  INSERT INTO appeal_stat_day_category SELECT * FROM appeal_stat_coarser('appeal_stat_day', false, true);
  INSERT INTO appeal_stat_open SELECT * FROM appeal_stat_open_rows(NULL);
END $$;

CREATE FUNCTION appeal_stats_add(ids bigint[]) RETURNS void LANGUAGE plpgsql
  SET work_mem = '256MB' AS $$
DECLARE
  tick timestamptz;
BEGIN
  -- Shared, as the row trigger takes it: the watermark cannot move before this commits.
  SELECT t.at INTO tick FROM appeal_stat_tick t WHERE t.id = 1 FOR SHARE;
  CREATE TEMP TABLE appeal_stat_added ON COMMIT DROP AS SELECT * FROM appeal_stat_rows(ids, tick);
  CREATE TEMP TABLE appeal_stat_added_month ON COMMIT DROP AS SELECT * FROM appeal_stat_coarser('pg_temp.appeal_stat_added', true, false);
  CREATE TEMP TABLE appeal_stat_added_category ON COMMIT DROP AS SELECT * FROM appeal_stat_coarser('pg_temp.appeal_stat_added', false, true);
  ANALYZE appeal_stat_added, appeal_stat_added_month, appeal_stat_added_category;
  PERFORM rollup_merge('appeal_stat_day', 'pg_temp.appeal_stat_added', 5);
  PERFORM rollup_merge('appeal_stat_month', 'pg_temp.appeal_stat_added_month', 5);
  PERFORM rollup_merge('appeal_stat_day_category', 'pg_temp.appeal_stat_added_category', 5);
  INSERT INTO appeal_stat_open SELECT * FROM appeal_stat_open_rows(ids)
    ON CONFLICT (appeal_id) DO UPDATE SET day = EXCLUDED.day, category_id = EXCLUDED.category_id, executor_id = EXCLUDED.executor_id,
      district_id = EXCLUDED.district_id, channel = EXCLUDED.channel, due_at = EXCLUDED.due_at;
  DROP TABLE appeal_stat_added, appeal_stat_added_month, appeal_stat_added_category;
END $$;

-- Announcement hits (migration 133): the appeals placed in a zone while it was on. Imports add
-- appeals only; calls and announcements keep their row triggers.
CREATE FUNCTION announcement_hits_add_appeals(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO announcement_appeal_day AS h (announcement_id, day, category_id, appeals)
  SELECT an.id, (ap.created_at AT TIME ZONE 'Europe/Kyiv')::date, ap.category_id, count(*)
    FROM appeal ap LEFT JOIN building b ON b.id = ap.building_id
    JOIN announcement an ON an.status <> 'cancelled' AND ST_Intersects(an.zone, coalesce(ap.point, b.centroid))
     AND tstzrange(an.starts_at, an.ends_at) @> ap.created_at
   WHERE ap.id = ANY(ids)
   GROUP BY 1, 2, 3
  ON CONFLICT (announcement_id, day, category_id) DO UPDATE SET appeals = h.appeals + EXCLUDED.appeals;
END $$;

-- Hotspots (migrations 132, 139). Adding appeals only ever joins sets, never splits one, so only
-- the sets the new appeals touch change:
-- · a place's sets are runs of its appeals in time: each (category, place) the new appeals name is
--   recomputed from its members old and new;
-- · points that are no place: the old members linked to a new point, with every member of their
--   sets, and the new points are labelled afresh (links among them alone suffice: an old set is
--   connected, and an old lone member had no link to any old member).
-- A recomputed set keeps the smallest id of the old sets it holds, so a planner's link to a set
-- that grew still opens it.
CREATE FUNCTION hotspot_add_many(ids bigint[]) RETURNS void LANGUAGE plpgsql
  SET work_mem = '256MB' AS $fn$
DECLARE
  w interval := make_interval(hours => hotspot_window_days() * 24);
  changed bigint;
BEGIN
  -- The new members, as hotspot_add (and the rebuild) describe them; old_set NULL marks them new.
  CREATE TEMP TABLE hotspot_new ON COMMIT DROP AS
  SELECT id AS appeal_id, category_id, hotspot_place(building_id, infra_object_id, p) AS place, building_id,
         ST_X(pt) AS x, ST_Y(pt) AS y, 1 / cos(radians(ST_Y(p))) AS k,
         floor(ST_X(pt) / hotspot_cell_size())::int AS cx, floor(ST_Y(pt) / hotspot_cell_size())::int AS cy, created_at AS at
    FROM (SELECT ap.id, ap.category_id, ap.building_id, ap.infra_object_id, ap.created_at, q.p, ST_Transform(q.p, 3857) AS pt
            FROM appeal ap LEFT JOIN building b ON b.id = ap.building_id, LATERAL (SELECT coalesce(ap.point, b.centroid) AS p) q
           WHERE ap.id = ANY(ids) AND q.p IS NOT NULL) a;
  ANALYZE hotspot_new;

  -- Places: every member of the places named, grouped by run (grp).
  CREATE TEMP TABLE hotspot_work ON COMMIT DROP AS
  WITH m AS (
    SELECT m.appeal_id, m.category_id, m.place, m.building_id, m.x, m.y, m.k, m.cx, m.cy, m.at, m.hotspot_id AS old_set, false AS new
      FROM (SELECT DISTINCT category_id, place FROM hotspot_new WHERE place IS NOT NULL) p
      JOIN hotspot_member m ON m.category_id = p.category_id AND m.place = p.place AND m.place IS NOT NULL
    UNION ALL
    SELECT n.*, NULL, true FROM hotspot_new n WHERE n.place IS NOT NULL),
  brk AS (
    SELECT m.*, CASE WHEN at - lag(at) OVER (PARTITION BY category_id, place ORDER BY at, appeal_id) <= w THEN 0 ELSE 1 END AS brk FROM m)
  SELECT appeal_id, category_id, place, building_id, x, y, k, cx, cy, at, old_set, new,
         category_id || '/' || place || '/' || sum(brk) OVER (PARTITION BY category_id, place ORDER BY at, appeal_id) AS grp
    FROM brk;

  -- Points: the old members linked to a new point, their sets' members, and the new points.
  CREATE TEMP TABLE hotspot_points ON COMMIT DROP AS
  WITH n AS (SELECT * FROM hotspot_new WHERE place IS NULL),
  linked AS (
    SELECT DISTINCT m.appeal_id, m.hotspot_id FROM n
      JOIN hotspot_member m ON m.place IS NULL AND m.category_id = n.category_id
       AND m.cx BETWEEN n.cx - 1 AND n.cx + 1 AND m.cy BETWEEN n.cy - 1 AND n.cy + 1
       AND m.at BETWEEN n.at - w AND n.at + w AND hotspot_near(m.x, m.y, m.k, n.x, n.y, n.k)),
  old AS (
    SELECT m.* FROM hotspot_member m WHERE m.appeal_id IN (SELECT appeal_id FROM linked WHERE hotspot_id IS NULL)
    UNION ALL
    SELECT m.* FROM hotspot_member m WHERE m.hotspot_id IN (SELECT DISTINCT hotspot_id FROM linked WHERE hotspot_id IS NOT NULL)),
  u AS (
    SELECT o.appeal_id, o.category_id, o.place, o.building_id, o.x, o.y, o.k, o.cx, o.cy, o.at, o.hotspot_id AS old_set, false AS new FROM old o
    UNION ALL
    SELECT n.*, NULL, true FROM n)
  SELECT u.*, floor(extract(epoch FROM u.at) / extract(epoch FROM w))::int AS tb, u.appeal_id AS label FROM u;
  ALTER TABLE hotspot_points ADD PRIMARY KEY (appeal_id);
  ANALYZE hotspot_points;
  -- The links among them (each pair once, as in the rebuild), then the smallest id along links.
  CREATE TEMP TABLE hotspot_links ON COMMIT DROP AS
  SELECT a.appeal_id AS a, b.appeal_id AS b
    FROM hotspot_points a
   CROSS JOIN (VALUES (0, 0, 0), (1, -1, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0),
                      (-1, -1, 1), (-1, 0, 1), (-1, 1, 1), (0, -1, 1), (0, 0, 1), (0, 1, 1), (1, -1, 1), (1, 0, 1), (1, 1, 1)) d (dx, dy, dt)
    JOIN hotspot_points b ON b.category_id = a.category_id AND b.cx = a.cx + d.dx AND b.cy = a.cy + d.dy AND b.tb = a.tb + d.dt
   WHERE (d.dx <> 0 OR d.dy <> 0 OR d.dt <> 0 OR b.appeal_id > a.appeal_id)
     AND b.at BETWEEN a.at - w AND a.at + w AND hotspot_near(a.x, a.y, a.k, b.x, b.y, b.k);
  LOOP
    WITH best AS (
      SELECT e.x AS appeal_id, min(l.label) AS label
        FROM (SELECT a AS x, b AS y FROM hotspot_links UNION ALL SELECT b, a FROM hotspot_links) e
        JOIN hotspot_points l ON l.appeal_id = e.y GROUP BY e.x)
    UPDATE hotspot_points l SET label = best.label FROM best
     WHERE l.appeal_id = best.appeal_id AND best.label < l.label;
    GET DIAGNOSTICS changed = ROW_COUNT;
    EXIT WHEN changed = 0;
  END LOOP;

  -- Both kinds in one list; a group of one (a point linked to nothing, a run of one) is no set.
  INSERT INTO hotspot_work (appeal_id, category_id, place, building_id, x, y, k, cx, cy, at, old_set, new, grp)
  SELECT appeal_id, category_id, place, building_id, x, y, k, cx, cy, at, old_set, new, 'L' || label FROM hotspot_points;
  ANALYZE hotspot_work;
  -- Only groups with a new member changed: a run of old members alone is an old set as it was.
  CREATE TEMP TABLE hotspot_group ON COMMIT DROP AS
  SELECT grp, coalesce(min(old_set), nextval(pg_get_serial_sequence('hotspot', 'id'))) AS id
    FROM hotspot_work GROUP BY grp HAVING count(*) > 1 AND bool_or(new);
  CREATE TEMP TABLE hotspot_assign ON COMMIT DROP AS
  SELECT w.*, g.id AS set_id FROM hotspot_work w LEFT JOIN hotspot_group g ON g.grp = w.grp
   WHERE w.new OR g.id IS NOT NULL;

  UPDATE hotspot_member m SET hotspot_id = a.set_id FROM hotspot_assign a
   WHERE NOT a.new AND m.appeal_id = a.appeal_id AND m.hotspot_id IS DISTINCT FROM a.set_id;
  INSERT INTO hotspot_member (appeal_id, category_id, place, building_id, x, y, k, cx, cy, at, hotspot_id)
  SELECT appeal_id, category_id, place, building_id, x, y, k, cx, cy, at, set_id FROM hotspot_assign WHERE new ORDER BY appeal_id;

  -- The rows of the sets that changed, as hotspot_refresh and the weeks rebuild write them.
  DELETE FROM hotspot WHERE id IN (SELECT old_set FROM hotspot_assign UNION SELECT set_id FROM hotspot_assign);
  INSERT INTO hotspot (id, category_id, appeals, first_at, last_at, x, y, building_id, gap_mean, gap_sd, weeks, weeks_upto)
  SELECT s.*, wk.weeks, wk.upto
    FROM (SELECT g.hotspot_id, min(g.category_id), count(*), min(g.at), max(g.at), avg(g.x), avg(g.y),
                 mode() WITHIN GROUP (ORDER BY g.building_id), avg(g.gap), stddev_pop(g.gap)
            FROM (SELECT m.hotspot_id, m.category_id, m.at, m.x, m.y, m.building_id,
                         extract(epoch FROM m.at - lag(m.at) OVER (PARTITION BY m.hotspot_id ORDER BY m.at, m.appeal_id)) / 86400 AS gap
                    FROM hotspot_member m WHERE m.hotspot_id IN (SELECT id FROM hotspot_group)) g
           GROUP BY g.hotspot_id) s
    JOIN (SELECT hotspot_id, array_agg(wk ORDER BY wk) AS weeks, array_agg(upto ORDER BY wk) AS upto
            FROM (SELECT hotspot_id, hotspot_week(at) AS wk, (sum(count(*)) OVER (PARTITION BY hotspot_id ORDER BY hotspot_week(at)))::int AS upto
                    FROM hotspot_member WHERE hotspot_id IN (SELECT id FROM hotspot_group) GROUP BY 1, 2) c
           GROUP BY hotspot_id) wk ON wk.hotspot_id = s.hotspot_id;
  DROP TABLE hotspot_new, hotspot_work, hotspot_points, hotspot_links, hotspot_group, hotspot_assign;
END $fn$;
