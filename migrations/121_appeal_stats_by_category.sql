-- Report 2 grouped by day or week without a district, executor or channel filter reads a year of
-- days per category (≈ 12,000 rows) instead of every key of appeal_stat_day (≈ 450,000 on the kyiv
-- preset): the same measures per Kyiv day × category, kept by the same trigger, tick and rebuild.
-- Its executor_id, district_id and channel are 0, 0 and '' (the shape of appeal_stat_day, so the
-- same queries read either).
CREATE TABLE appeal_stat_day_category (LIKE appeal_stat_day INCLUDING ALL);

CREATE OR REPLACE FUNCTION appeal_stat_add(d date, cat int, exe int, dist int, chan text, v int[]) RETURNS void
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
  INSERT INTO appeal_stat_day_category AS s VALUES (d, cat, 0, 0, '',
      v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17], v[18])
    ON CONFLICT (day, category_id, executor_id, district_id, channel) DO UPDATE SET
      total = s.total + v[1], st_new = s.st_new + v[2], st_in_progress = s.st_in_progress + v[3], st_planned = s.st_planned + v[4],
      st_done = s.st_done + v[5], st_control = s.st_control + v[6], st_explained = s.st_explained + v[7], st_rejected = s.st_rejected + v[8],
      st_closed = s.st_closed + v[9], finished = s.finished + v[10], late = s.late + v[11], returned = s.returned + v[12],
      confirmed = s.confirmed + v[13], not_confirmed = s.not_confirmed + v[14], rated = s.rated + v[15], rating_sum = s.rating_sum + v[16],
      speed_sum = s.speed_sum + v[17], overdue = s.overdue + v[18];
END $$;

CREATE OR REPLACE FUNCTION appeal_stats_tick(upto timestamptz) RETURNS void LANGUAGE plpgsql AS $$
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
  UPDATE appeal_stat_day_category s SET overdue = s.overdue + n.c
    FROM (SELECT day, category_id, count(*)::int AS c FROM appeal_stat_open
           WHERE due_at >= tick AND due_at < upto GROUP BY 1, 2) n
   WHERE (s.day, s.category_id) = (n.day, n.category_id);
  UPDATE appeal_stat_tick SET at = upto WHERE id = 1;
END $$;

CREATE OR REPLACE FUNCTION appeal_stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  tick timestamptz;
BEGIN
  SELECT t.at INTO tick FROM appeal_stat_tick t WHERE t.id = 1 FOR UPDATE;
  TRUNCATE appeal_stat_day, appeal_stat_month, appeal_stat_open, appeal_stat_day_category;
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
  INSERT INTO appeal_stat_day_category
  SELECT day, category_id, 0, 0, '', sum(total), sum(st_new), sum(st_in_progress), sum(st_planned), sum(st_done), sum(st_control), sum(st_explained),
         sum(st_rejected), sum(st_closed), sum(finished), sum(late), sum(returned), sum(confirmed), sum(not_confirmed),
         sum(rated), sum(rating_sum), sum(speed_sum), sum(overdue)
    FROM appeal_stat_day GROUP BY 1, 2;
  INSERT INTO appeal_stat_open
  SELECT a.id, appeal_stat_kyiv_day(a.created_at), a.category_id, a.executor_id,
         coalesce(b.district_id, CASE WHEN a.building_id IS NULL THEN appeal_stat_district(NULL, a.point) END, 0), a.channel, a.due_at
    FROM appeal a LEFT JOIN building b ON b.id = a.building_id
   WHERE appeal_status_is_open(a.status);
END $$;

CREATE OR REPLACE FUNCTION appeal_stat_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE appeal_stat_day, appeal_stat_month, appeal_stat_open, appeal_stat_day_category;
  RETURN NULL;
END $$;

INSERT INTO appeal_stat_day_category
SELECT day, category_id, 0, 0, '', sum(total), sum(st_new), sum(st_in_progress), sum(st_planned), sum(st_done), sum(st_control),
       sum(st_explained), sum(st_rejected), sum(st_closed), sum(finished), sum(late), sum(returned), sum(confirmed), sum(not_confirmed),
       sum(rated), sum(rating_sum), sum(speed_sum), sum(overdue)
  FROM appeal_stat_day GROUP BY 1, 2;
