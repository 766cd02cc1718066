-- "Calls inside announcements" counts, per announcement, the inbound calls from callers whose
-- building lies in its zone and the appeals placed in its zone while it was on. Scanning the raw
-- tables per request costs seconds on a city of millions of calls and appeals; these tables keep
-- the counts current instead.
--
-- Granularity: per announcement × Kyiv day (× category for appeals). A period is whole Kyiv days
-- and an announcement's own window is already applied when a hit is counted, so the clipped window
-- [greatest(starts_at, period start), least(ends_at, period end)) holds exactly the hits whose Kyiv
-- day lies in the period: a period cutting through an announcement reads its days in the period,
-- with no recount from the raw tables. An announcement lasts hours to a few weeks and its zone
-- holds a few dozen buildings, so a year is a few rows per announcement.
--
-- Kept by triggers in the same transaction:
-- · a call (inserted, deleted, or its entered_at, resident_id, caller_phone, direction changed) and
--   an appeal (inserted, deleted, or its created_at, point, building_id, category_id changed) add
--   or take one from the announcements not cancelled whose window and zone hold it — an index
--   probe on (zone, window);
-- · an announcement (inserted, or its zone, starts_at, ends_at or being cancelled changed) is
--   recounted from the raw tables, bounded by its zone and window (announcement_hits_recount).
-- A caller's building is resolved when the call is counted: the resident the call is tied to,
-- else the one owning the number in resident_phone. A number later given to or taken from a
-- resident, a resident moving house and a redrawn building do not recount past calls or appeals
-- (the operator ties the call to the resident, which does); announcement_hits_rebuild() counts
-- everything again. A call committed while an announcement's zone or time is being edited in
-- another transaction may be counted against the old zone or time until the next rebuild.

CREATE TABLE announcement_call_day (
  announcement_id int  NOT NULL REFERENCES announcement ON DELETE CASCADE,
  day             date NOT NULL,
  calls           int  NOT NULL,
  PRIMARY KEY (announcement_id, day)
);

CREATE TABLE announcement_appeal_day (
  announcement_id int  NOT NULL REFERENCES announcement ON DELETE CASCADE,
  day             date NOT NULL,
  category_id     int  NOT NULL REFERENCES category,
  appeals         int  NOT NULL,
  PRIMARY KEY (announcement_id, day, category_id)
);

-- A short period sums its days' rows without visiting every announcement's.
CREATE INDEX announcement_call_day_day_idx ON announcement_call_day (day) INCLUDE (announcement_id, calls);
CREATE INDEX announcement_appeal_day_day_idx ON announcement_appeal_day (day) INCLUDE (announcement_id, category_id, appeals);

-- A year on a city the size of Kyiv lists thousands of announcements, each with its outline for the
-- map: simplifying and encoding every zone per request cost more than the counts, so the outline
-- is kept with the zone (the expression the report always used).
ALTER TABLE announcement ADD COLUMN zone_outline json
  GENERATED ALWAYS AS (ST_AsGeoJSON(ST_SimplifyPreserveTopology(zone, 0.00002), 6)::json) STORED;

-- The announcements whose zone and window hold a place and an instant: one probe per call or appeal.
CREATE INDEX announcement_hits_idx ON announcement USING gist (zone, tstzrange(starts_at, ends_at))
  WHERE status <> 'cancelled';
-- An announcement's calls by the residents of its zone (calls tied to a resident).
CREATE INDEX call_resident_in_idx ON call (resident_id, entered_at) WHERE direction = 'in';

-- The building a call comes from: its resident's, else the number owner's.
CREATE FUNCTION announcement_call_count(dir text, resident_of int, phone text, at timestamptz, n int) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  pt geometry;
BEGIN
  IF dir IS DISTINCT FROM 'in' THEN RETURN; END IF;
  IF resident_of IS NULL THEN
    SELECT rp.resident_id INTO resident_of FROM resident_phone rp WHERE rp.phone = announcement_call_count.phone;
  END IF;
  SELECT b.centroid INTO pt FROM resident r JOIN building b ON b.id = r.building_id WHERE r.id = resident_of;
  IF pt IS NULL THEN RETURN; END IF;
  INSERT INTO announcement_call_day AS h (announcement_id, day, calls)
  SELECT a.id, (at AT TIME ZONE 'Europe/Kyiv')::date, n
    FROM announcement a
   WHERE a.status <> 'cancelled' AND ST_Intersects(a.zone, pt) AND tstzrange(a.starts_at, a.ends_at) @> at
  ON CONFLICT (announcement_id, day) DO UPDATE SET calls = h.calls + EXCLUDED.calls;
END $$;

CREATE FUNCTION announcement_appeal_count(p geometry, building_of int, category_of int, at timestamptz, n int) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  pt geometry := appeal_map_point(p, building_of);
BEGIN
  IF pt IS NULL THEN RETURN; END IF;
  INSERT INTO announcement_appeal_day AS h (announcement_id, day, category_id, appeals)
  SELECT a.id, (at AT TIME ZONE 'Europe/Kyiv')::date, category_of, n
    FROM announcement a
   WHERE a.status <> 'cancelled' AND ST_Intersects(a.zone, pt) AND tstzrange(a.starts_at, a.ends_at) @> at
  ON CONFLICT (announcement_id, day, category_id) DO UPDATE SET appeals = h.appeals + EXCLUDED.appeals;
END $$;

-- One announcement from the raw tables: the buildings whose centroid lies in its zone, their
-- residents' calls (tied to them, or from their numbers and tied to no one) and the appeals placed
-- there (by point, else by building), within its window. Indexes: building centroids (GiST),
-- call_resident_in_idx, call_caller_idx, appeal_building_idx, appeal_point_idx.
CREATE FUNCTION announcement_hits_recount(ann int) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM announcement_call_day WHERE announcement_id = ann;
  DELETE FROM announcement_appeal_day WHERE announcement_id = ann;

  WITH a AS MATERIALIZED (SELECT id, zone, starts_at, ends_at FROM announcement WHERE id = ann AND status <> 'cancelled'),
  b AS MATERIALIZED (SELECT b.id FROM a JOIN building b ON ST_Intersects(a.zone, b.centroid)),
  r AS MATERIALIZED (SELECT r.id FROM b JOIN resident r ON r.building_id = b.id),
  c AS (
    SELECT c.entered_at FROM a, r JOIN call c ON c.resident_id = r.id
     WHERE c.direction = 'in' AND c.entered_at >= a.starts_at AND c.entered_at < a.ends_at
    UNION ALL
    SELECT c.entered_at FROM a, r JOIN resident_phone rp ON rp.resident_id = r.id JOIN call c ON c.caller_phone = rp.phone
     WHERE c.resident_id IS NULL AND c.direction = 'in' AND c.entered_at >= a.starts_at AND c.entered_at < a.ends_at)
  INSERT INTO announcement_call_day (announcement_id, day, calls)
  SELECT ann, (entered_at AT TIME ZONE 'Europe/Kyiv')::date, count(*) FROM c GROUP BY 2;

  WITH a AS MATERIALIZED (SELECT id, zone, starts_at, ends_at FROM announcement WHERE id = ann AND status <> 'cancelled'),
  p AS (
    SELECT ap.created_at, ap.category_id FROM a JOIN appeal ap
        ON ap.point IS NOT NULL AND ST_Intersects(a.zone, ap.point) AND ap.created_at >= a.starts_at AND ap.created_at < a.ends_at
    UNION ALL
    SELECT ap.created_at, ap.category_id FROM a JOIN building b ON ST_Intersects(a.zone, b.centroid)
      JOIN appeal ap ON ap.building_id = b.id AND ap.point IS NULL AND ap.created_at >= a.starts_at AND ap.created_at < a.ends_at)
  INSERT INTO announcement_appeal_day (announcement_id, day, category_id, appeals)
  SELECT ann, (created_at AT TIME ZONE 'Europe/Kyiv')::date, category_id, count(*) FROM p GROUP BY 2, 3;
END $fn$;

CREATE FUNCTION announcement_hits_call() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM announcement_call_count(OLD.direction, OLD.resident_id, OLD.caller_phone, OLD.entered_at, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM announcement_call_count(NEW.direction, NEW.resident_id, NEW.caller_phone, NEW.entered_at, 1);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER announcement_hits_call AFTER INSERT OR DELETE ON call
  FOR EACH ROW EXECUTE FUNCTION announcement_hits_call();
CREATE TRIGGER announcement_hits_call_update AFTER UPDATE OF entered_at, resident_id, caller_phone, direction ON call
  FOR EACH ROW WHEN (OLD.entered_at IS DISTINCT FROM NEW.entered_at OR OLD.resident_id IS DISTINCT FROM NEW.resident_id
                     OR OLD.caller_phone IS DISTINCT FROM NEW.caller_phone OR OLD.direction IS DISTINCT FROM NEW.direction)
  EXECUTE FUNCTION announcement_hits_call();

CREATE FUNCTION announcement_hits_appeal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM announcement_appeal_count(OLD.point, OLD.building_id, OLD.category_id, OLD.created_at, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM announcement_appeal_count(NEW.point, NEW.building_id, NEW.category_id, NEW.created_at, 1);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER announcement_hits_appeal AFTER INSERT OR DELETE ON appeal
  FOR EACH ROW EXECUTE FUNCTION announcement_hits_appeal();
-- Geometry compared as bytes, as in migration 130 (pg_restore's empty search_path).
CREATE TRIGGER announcement_hits_appeal_update AFTER UPDATE OF point, building_id, category_id, created_at ON appeal
  FOR EACH ROW WHEN (OLD.point::bytea IS DISTINCT FROM NEW.point::bytea OR OLD.building_id IS DISTINCT FROM NEW.building_id
                     OR OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION announcement_hits_appeal();

CREATE FUNCTION announcement_hits_announcement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM announcement_hits_recount(NEW.id);
  RETURN NULL;
END $$;

CREATE TRIGGER announcement_hits_announcement AFTER INSERT ON announcement
  FOR EACH ROW EXECUTE FUNCTION announcement_hits_announcement();
CREATE TRIGGER announcement_hits_announcement_update AFTER UPDATE OF zone, starts_at, ends_at, status ON announcement
  FOR EACH ROW WHEN (OLD.zone::bytea IS DISTINCT FROM NEW.zone::bytea OR OLD.starts_at IS DISTINCT FROM NEW.starts_at
                     OR OLD.ends_at IS DISTINCT FROM NEW.ends_at
                     OR (OLD.status = 'cancelled') IS DISTINCT FROM (NEW.status = 'cancelled'))
  EXECUTE FUNCTION announcement_hits_announcement();

-- Everything from scratch, set-based: after bulk loads that bypass the triggers (the demo seeder),
-- and for what is already here. The pairs (announcement, building whose centroid lies in its zone)
-- come first; calls and building-placed appeals then join them by building in one hash join each,
-- and appeals placed by a point are found through the announcements' zones.
CREATE FUNCTION announcement_hits_rebuild() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  TRUNCATE announcement_call_day, announcement_appeal_day;
  -- Dropped at the end; an error rolls its creation back with the rest.
  CREATE TEMP TABLE announcement_hits_building ON COMMIT DROP AS
    SELECT a.id, a.starts_at, a.ends_at, b.id AS building_id
      FROM announcement a JOIN building b ON ST_Intersects(a.zone, b.centroid)
     WHERE a.status <> 'cancelled';
  ANALYZE pg_temp.announcement_hits_building;

  INSERT INTO announcement_call_day (announcement_id, day, calls)
  SELECT ab.id, (c.entered_at AT TIME ZONE 'Europe/Kyiv')::date, count(*)
    FROM call c
    LEFT JOIN resident_phone rp ON c.resident_id IS NULL AND rp.phone = c.caller_phone
    JOIN resident r ON r.id = coalesce(c.resident_id, rp.resident_id)
    JOIN pg_temp.announcement_hits_building ab ON ab.building_id = r.building_id
     AND c.entered_at >= ab.starts_at AND c.entered_at < ab.ends_at
   WHERE c.direction = 'in'
   GROUP BY 1, 2;

  INSERT INTO announcement_appeal_day (announcement_id, day, category_id, appeals)
  SELECT id, (created_at AT TIME ZONE 'Europe/Kyiv')::date, category_id, count(*)
    FROM (
      SELECT ab.id, ap.created_at, ap.category_id
        FROM appeal ap JOIN pg_temp.announcement_hits_building ab ON ab.building_id = ap.building_id
         AND ap.created_at >= ab.starts_at AND ap.created_at < ab.ends_at
       WHERE ap.point IS NULL
      UNION ALL
      SELECT a.id, ap.created_at, ap.category_id
        FROM announcement a JOIN appeal ap ON ap.point IS NOT NULL AND ST_Intersects(a.zone, ap.point)
         AND ap.created_at >= a.starts_at AND ap.created_at < a.ends_at
       WHERE a.status <> 'cancelled') h
   GROUP BY 1, 2, 3;

  DROP TABLE pg_temp.announcement_hits_building;
END $fn$;

DO $$ BEGIN PERFORM announcement_hits_rebuild(); END $$;
