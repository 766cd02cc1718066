-- Appeal statistics (reports 2, top-10s, ratings) read rollups, never the 10⁷-row appeal table.
-- appeal_stat_day holds, per Kyiv day of registration × category × executor × district × channel, the
-- count of appeals and of each measure; appeal_stat_month the same per month (its `day` is the
-- month's first day), so a year is read from twelve months' rows. Both are kept by a row trigger on
-- appeal in the transaction that writes the appeal: an update subtracts the old row's measures and
-- adds the new row's. "Overdue" depends on the clock: the rollups count the open appeals overdue as
-- of a watermark (appeal_stat_tick.at), which appeal_stats_tick(now) moves forward by adding the open
-- appeals (appeal_stat_open, with their due dates) whose due date passed since; a reader adds the
-- few between the watermark and its own now. A bulk load disables the trigger and calls
-- appeal_stats_rebuild() (set-based), as the demo seed does.
-- The district of an appeal is its building's, else the one its point lies in, else 0 (none).

CREATE TABLE appeal_stat_day (
  day            date NOT NULL,
  category_id    int NOT NULL,
  executor_id    int NOT NULL,
  district_id    int NOT NULL,
  channel        text NOT NULL,
  total          int NOT NULL,
  st_new         int NOT NULL,
  st_in_progress int NOT NULL,
  st_planned     int NOT NULL,
  st_done        int NOT NULL,
  st_control     int NOT NULL,
  st_explained   int NOT NULL,
  st_rejected    int NOT NULL,
  st_closed      int NOT NULL,
  finished       int NOT NULL,  -- reported done at least once (done_at set)
  late           int NOT NULL,  -- reported done after the due date
  returned       int NOT NULL,  -- returned to Control at least once
  confirmed      int NOT NULL,
  not_confirmed  int NOT NULL,
  rated          int NOT NULL,
  rating_sum     int NOT NULL,
  speed_sum      bigint NOT NULL, -- Σ over finished appeals of min(1, control period / time taken), in 1/10000
  overdue        int NOT NULL,  -- open and due before appeal_stat_tick.at
  PRIMARY KEY (day, category_id, executor_id, district_id, channel)
);
CREATE TABLE appeal_stat_month (LIKE appeal_stat_day INCLUDING ALL);

CREATE TABLE appeal_stat_open (
  appeal_id   bigint PRIMARY KEY,
  day         date NOT NULL,
  category_id int NOT NULL,
  executor_id int NOT NULL,
  district_id int NOT NULL,
  channel     text NOT NULL,
  due_at      timestamptz NOT NULL
);
CREATE INDEX appeal_stat_open_due_idx ON appeal_stat_open (due_at);

-- The instant the rollups' overdue counts are true at (one row).
CREATE TABLE appeal_stat_tick (
  id int PRIMARY KEY CHECK (id = 1),
  at timestamptz NOT NULL
);
INSERT INTO appeal_stat_tick VALUES (1, now());

CREATE FUNCTION appeal_stat_kyiv_day(at timestamptz) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (at AT TIME ZONE 'Europe/Kyiv')::date;

CREATE FUNCTION appeal_stat_district(building_id int, point geometry) RETURNS int
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN coalesce((SELECT b.district_id FROM building b WHERE b.id = building_id),
                  (SELECT d.id FROM district d WHERE point IS NOT NULL AND ST_Contains(d.geom, point) ORDER BY d.id LIMIT 1),
                  0);

-- One appeal's measures, in the column order of appeal_stat_day from `total` on.
CREATE FUNCTION appeal_stat_measures(status text, confirmation text, rating smallint, control_count smallint,
                                     created_at timestamptz, due_at timestamptz, done_at timestamptz, tick timestamptz) RETURNS int[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN ARRAY[1,
    (status = 'new')::int, (status = 'in_progress')::int, (status = 'planned')::int, (status = 'done')::int,
    (status = 'control')::int, (status = 'explained')::int, (status = 'rejected')::int, (status = 'closed')::int,
    (done_at IS NOT NULL)::int, (done_at > due_at IS TRUE)::int, (control_count > 0)::int,
    (confirmation = 'confirmed' IS TRUE)::int, (confirmation = 'not_confirmed' IS TRUE)::int,
    (rating IS NOT NULL)::int, coalesce(rating, 0)::int,
    CASE WHEN done_at IS NULL THEN 0
         WHEN done_at <= due_at OR done_at <= created_at THEN 10000
         ELSE greatest(0, round(10000 * date_part('epoch', due_at - created_at) / date_part('epoch', done_at - created_at)))::int END,
    (appeal_status_is_open(status) AND due_at < tick)::int];

-- Adds `v` (measures, or their negation) to the day's and the month's row of the key.
CREATE FUNCTION appeal_stat_add(d date, cat int, exe int, dist int, chan text, v int[]) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO appeal_stat_day AS s VALUES (d, cat, exe, dist, chan,
      v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17], v[18])
    ON CONFLICT (day, category_id, executor_id, district_id, channel) DO UPDATE SET
      total = s.total + v[1], st_new = s.st_new + v[2], st_in_progress = s.st_in_progress + v[3], st_planned = s.st_planned + v[4],
      st_done = s.st_done + v[5], st_control = s.st_control + v[6], st_explained = s.st_explained + v[7], st_rejected = s.st_rejected + v[8],
      st_closed = s.st_closed + v[9], finished = s.finished + v[10], late = s.late + v[11], returned = s.returned + v[12],
      confirmed = s.confirmed + v[13], not_confirmed = s.not_confirmed + v[14], rated = s.rated + v[15], rating_sum = s.rating_sum + v[16],
      speed_sum = s.speed_sum + v[17], overdue = s.overdue + v[18];
  INSERT INTO appeal_stat_month AS s VALUES (date_trunc('month', d)::date, cat, exe, dist, chan,
      v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17], v[18])
    ON CONFLICT (day, category_id, executor_id, district_id, channel) DO UPDATE SET
      total = s.total + v[1], st_new = s.st_new + v[2], st_in_progress = s.st_in_progress + v[3], st_planned = s.st_planned + v[4],
      st_done = s.st_done + v[5], st_control = s.st_control + v[6], st_explained = s.st_explained + v[7], st_rejected = s.st_rejected + v[8],
      st_closed = s.st_closed + v[9], finished = s.finished + v[10], late = s.late + v[11], returned = s.returned + v[12],
      confirmed = s.confirmed + v[13], not_confirmed = s.not_confirmed + v[14], rated = s.rated + v[15], rating_sum = s.rating_sum + v[16],
      speed_sum = s.speed_sum + v[17], overdue = s.overdue + v[18];
END $$;

CREATE FUNCTION appeal_stat_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o int[]; n int[];
  od int; nd int;
  tick timestamptz;
BEGIN
  -- Shared with other writers, exclusive with appeal_stats_tick: the watermark cannot move between
  -- reading it here and this transaction's commit.
  SELECT t.at INTO tick FROM appeal_stat_tick t WHERE t.id = 1 FOR SHARE;
  IF TG_OP <> 'INSERT' THEN
    o := appeal_stat_measures(OLD.status, OLD.confirmation, OLD.rating, OLD.control_count, OLD.created_at, OLD.due_at, OLD.done_at, tick);
    od := appeal_stat_district(OLD.building_id, OLD.point);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    n := appeal_stat_measures(NEW.status, NEW.confirmation, NEW.rating, NEW.control_count, NEW.created_at, NEW.due_at, NEW.done_at, tick);
    nd := CASE WHEN TG_OP = 'UPDATE' AND NEW.building_id IS NOT DISTINCT FROM OLD.building_id AND NEW.point IS NOT DISTINCT FROM OLD.point
               THEN od ELSE appeal_stat_district(NEW.building_id, NEW.point) END;
  END IF;
  IF TG_OP = 'UPDATE' AND appeal_stat_kyiv_day(NEW.created_at) = appeal_stat_kyiv_day(OLD.created_at) AND NEW.category_id = OLD.category_id
     AND NEW.executor_id = OLD.executor_id AND nd = od AND NEW.channel = OLD.channel THEN
    PERFORM appeal_stat_add(appeal_stat_kyiv_day(NEW.created_at), NEW.category_id, NEW.executor_id, nd, NEW.channel,
                            ARRAY(SELECT x - y FROM unnest(n, o) AS u(x, y)));
  ELSE
    IF o IS NOT NULL THEN
      PERFORM appeal_stat_add(appeal_stat_kyiv_day(OLD.created_at), OLD.category_id, OLD.executor_id, od, OLD.channel,
                              ARRAY(SELECT -x FROM unnest(o) AS u(x)));
    END IF;
    IF n IS NOT NULL THEN
      PERFORM appeal_stat_add(appeal_stat_kyiv_day(NEW.created_at), NEW.category_id, NEW.executor_id, nd, NEW.channel, n);
    END IF;
  END IF;

  IF TG_OP <> 'DELETE' AND appeal_status_is_open(NEW.status) THEN
    INSERT INTO appeal_stat_open VALUES (NEW.id, appeal_stat_kyiv_day(NEW.created_at), NEW.category_id, NEW.executor_id, nd, NEW.channel, NEW.due_at)
      ON CONFLICT (appeal_id) DO UPDATE SET day = EXCLUDED.day, category_id = EXCLUDED.category_id, executor_id = EXCLUDED.executor_id,
        district_id = EXCLUDED.district_id, channel = EXCLUDED.channel, due_at = EXCLUDED.due_at;
  ELSIF TG_OP <> 'INSERT' AND appeal_status_is_open(OLD.status) THEN
    DELETE FROM appeal_stat_open WHERE appeal_id = OLD.id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER appeal_stat_track AFTER INSERT OR DELETE ON appeal FOR EACH ROW EXECUTE FUNCTION appeal_stat_track();
-- Only changes of what the rollups count (a new answer text or updated_at alone costs nothing).
-- The point is compared as its bytes: pg_restore recreates triggers with an empty search_path,
-- where geometry's = operator cannot be resolved.
CREATE TRIGGER appeal_stat_track_update AFTER UPDATE ON appeal FOR EACH ROW
  WHEN ((OLD.status, OLD.confirmation, OLD.rating, OLD.control_count, OLD.category_id, OLD.executor_id, OLD.building_id,
         OLD.point::bytea, OLD.channel, OLD.created_at, OLD.due_at, OLD.done_at) IS DISTINCT FROM
        (NEW.status, NEW.confirmation, NEW.rating, NEW.control_count, NEW.category_id, NEW.executor_id, NEW.building_id,
         NEW.point::bytea, NEW.channel, NEW.created_at, NEW.due_at, NEW.done_at))
  EXECUTE FUNCTION appeal_stat_track();

CREATE FUNCTION appeal_stat_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE appeal_stat_day, appeal_stat_month, appeal_stat_open;
  RETURN NULL;
END $$;
CREATE TRIGGER appeal_stat_truncate AFTER TRUNCATE ON appeal FOR EACH STATEMENT EXECUTE FUNCTION appeal_stat_truncate();

-- The rollups from the appeal table in three set-based statements: after a bulk load that ran with
-- the triggers disabled (ALTER TABLE appeal DISABLE TRIGGER appeal_stat_track, …), and by this
-- migration over the appeals that exist.
CREATE FUNCTION appeal_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  tick timestamptz;
BEGIN
  SELECT t.at INTO tick FROM appeal_stat_tick t WHERE t.id = 1 FOR UPDATE;
  TRUNCATE appeal_stat_day, appeal_stat_month, appeal_stat_open;
  -- Plain aggregates rather than appeal_stat_measures per row: the same definitions (the rollups
  -- test holds them equal), a quarter of the time over 10⁷ rows.
  INSERT INTO appeal_stat_day
  SELECT appeal_stat_kyiv_day(a.created_at), a.category_id, a.executor_id,
         coalesce(b.district_id, CASE WHEN a.building_id IS NULL THEN appeal_stat_district(NULL, a.point) END, 0), a.channel,
         count(*), count(*) FILTER (WHERE a.status = 'new'), count(*) FILTER (WHERE a.status = 'in_progress'),
         count(*) FILTER (WHERE a.status = 'planned'), count(*) FILTER (WHERE a.status = 'done'),
         count(*) FILTER (WHERE a.status = 'control'), count(*) FILTER (WHERE a.status = 'explained'),
         count(*) FILTER (WHERE a.status = 'rejected'), count(*) FILTER (WHERE a.status = 'closed'),
         count(a.done_at), count(*) FILTER (WHERE a.done_at > a.due_at), count(*) FILTER (WHERE a.control_count > 0),
         count(*) FILTER (WHERE a.confirmation = 'confirmed'), count(*) FILTER (WHERE a.confirmation = 'not_confirmed'),
         count(a.rating), coalesce(sum(a.rating), 0),
         coalesce(sum(CASE WHEN a.done_at IS NULL THEN 0 WHEN a.done_at <= a.due_at OR a.done_at <= a.created_at THEN 10000
                      ELSE greatest(0, round(10000 * date_part('epoch', a.due_at - a.created_at) / date_part('epoch', a.done_at - a.created_at)))::int END), 0),
         count(*) FILTER (WHERE appeal_status_is_open(a.status) AND a.due_at < tick)
    FROM appeal a LEFT JOIN building b ON b.id = a.building_id
   GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO appeal_stat_month
  SELECT date_trunc('month', day)::date, category_id, executor_id, district_id, channel,
         sum(total), sum(st_new), sum(st_in_progress), sum(st_planned), sum(st_done), sum(st_control), sum(st_explained),
         sum(st_rejected), sum(st_closed), sum(finished), sum(late), sum(returned), sum(confirmed), sum(not_confirmed),
         sum(rated), sum(rating_sum), sum(speed_sum), sum(overdue)
    FROM appeal_stat_day GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO appeal_stat_open
  SELECT a.id, appeal_stat_kyiv_day(a.created_at), a.category_id, a.executor_id,
         coalesce(b.district_id, CASE WHEN a.building_id IS NULL THEN appeal_stat_district(NULL, a.point) END, 0), a.channel, a.due_at
    FROM appeal a LEFT JOIN building b ON b.id = a.building_id
   WHERE appeal_status_is_open(a.status);
END $$;

-- Moves the watermark to `upto`: the open appeals whose due date passed in between become overdue
-- in the rollups. Readers call it before they read (and a reader whose clock is behind the
-- watermark subtracts instead: appeal-stats.repo.ts).
CREATE FUNCTION appeal_stats_tick(upto timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  tick timestamptz;
BEGIN
  SELECT t.at INTO tick FROM appeal_stat_tick t WHERE t.id = 1 FOR UPDATE;
  IF upto <= tick THEN RETURN; END IF;
  UPDATE appeal_stat_day s SET overdue = s.overdue + n.c
    FROM (SELECT day, category_id, executor_id, district_id, channel, count(*)::int AS c FROM appeal_stat_open
           WHERE due_at >= tick AND due_at < upto GROUP BY 1, 2, 3, 4, 5) n
   WHERE (s.day, s.category_id, s.executor_id, s.district_id, s.channel) = (n.day, n.category_id, n.executor_id, n.district_id, n.channel);
  UPDATE appeal_stat_month s SET overdue = s.overdue + n.c
    FROM (SELECT date_trunc('month', day)::date AS day, category_id, executor_id, district_id, channel, count(*)::int AS c FROM appeal_stat_open
           WHERE due_at >= tick AND due_at < upto GROUP BY 1, 2, 3, 4, 5) n
   WHERE (s.day, s.category_id, s.executor_id, s.district_id, s.channel) = (n.day, n.category_id, n.executor_id, n.district_id, n.channel);
  UPDATE appeal_stat_tick SET at = upto WHERE id = 1;
END $$;

DO $$ BEGIN PERFORM appeal_stats_rebuild(); END $$;
