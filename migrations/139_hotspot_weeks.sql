-- A hotspot's appeals per week, so a period cutting through a long-lived set bounds its count
-- inside without reading its members: the weeks touching the period bound it from above, the weeks
-- wholly inside from below. The list then recounts from members only the sets those bounds cannot
-- rule out (server/planning/planning.repo.ts). Weeks are UTC epoch weeks — any partition of time
-- gives bounds; exact counts still come from the members. Sparse: the weeks with appeals, ascending,
-- and the running count of appeals up to each, so a range is two binary searches (width_bucket)
-- rather than a pass over the array, for the tens of thousands of long-lived sets a month's start
-- cuts through in Kyiv.
CREATE FUNCTION hotspot_week(t timestamptz) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN floor(extract(epoch FROM t) / 604800)::int;

ALTER TABLE hotspot ADD COLUMN weeks int[] NOT NULL DEFAULT '{}', ADD COLUMN weeks_upto int[] NOT NULL DEFAULT '{}';
-- A short period's sets: those that ended in it and began in it, and those its edges cut through
-- (began before an edge, ended at or after it), with the size checked in the index too.
DROP INDEX hotspot_last_idx;
CREATE INDEX hotspot_recent_idx ON hotspot (last_at, first_at, appeals) INCLUDE (category_id, id);

-- A set's appeals in weeks lo … hi: width_bucket gives how many of its weeks are ≤ a week.
CREATE FUNCTION hotspot_weeks_sum(weeks int[], upto int[], lo int, hi int) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN coalesce(upto[width_bucket(hi, weeks)], 0) - coalesce(upto[width_bucket(lo - 1, weeks)], 0);

-- Every set's week counts, from its members (the rebuild). The table is written anew, in the order
-- sets ended: compact, and the recent sets a short period reads are on few pages together.
CREATE FUNCTION hotspot_weeks_rebuild() RETURNS void LANGUAGE plpgsql
  SET work_mem = '256MB' AS $$
BEGIN
  CREATE TEMP TABLE hotspot_sorted ON COMMIT DROP AS
  SELECT h.id, h.category_id, h.appeals, h.first_at, h.last_at, h.x, h.y, h.building_id, h.gap_mean, h.gap_sd, w.weeks, w.upto
    FROM hotspot h
    JOIN (SELECT hotspot_id, array_agg(wk ORDER BY wk) AS weeks, array_agg(upto ORDER BY wk) AS upto
            FROM (SELECT hotspot_id, hotspot_week(at) AS wk, (sum(count(*)) OVER (PARTITION BY hotspot_id ORDER BY hotspot_week(at)))::int AS upto
                    FROM hotspot_member WHERE hotspot_id IS NOT NULL GROUP BY 1, 2) c
           GROUP BY hotspot_id) w ON w.hotspot_id = h.id;
  TRUNCATE hotspot;
  INSERT INTO hotspot (id, category_id, appeals, first_at, last_at, x, y, building_id, gap_mean, gap_sd, weeks, weeks_upto)
  SELECT * FROM hotspot_sorted ORDER BY last_at, id;
  DROP TABLE hotspot_sorted;
  ANALYZE hotspot;
END $$;

-- The trigger's refresh and the rebuild keep their bodies (migration 132) under new names and add
-- the weeks; hotspot_add and hotspot_remove call hotspot_refresh by name.
ALTER FUNCTION hotspot_refresh(bigint) RENAME TO hotspot_refresh_row;
CREATE FUNCTION hotspot_refresh(set_id bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hotspot_refresh_row(set_id);
  -- The same counts as hotspot_weeks_rebuild, for one set (a plan PL/pgSQL keeps).
  UPDATE hotspot h SET (weeks, weeks_upto) = (
    SELECT array_agg(wk ORDER BY wk), array_agg(upto ORDER BY wk)
      FROM (SELECT hotspot_week(at) AS wk, (sum(count(*)) OVER (ORDER BY hotspot_week(at)))::int AS upto
              FROM hotspot_member WHERE hotspot_id = set_id GROUP BY 1) c)
   WHERE h.id = set_id;
END $$;

ALTER FUNCTION hotspot_rebuild() RENAME TO hotspot_rebuild_sets;
CREATE FUNCTION hotspot_rebuild() RETURNS void LANGUAGE plpgsql
  SET work_mem = '256MB' AS $$
BEGIN
  PERFORM hotspot_rebuild_sets();
  PERFORM hotspot_weeks_rebuild();
END $$;

DO $$ BEGIN PERFORM hotspot_weeks_rebuild(); END $$;
