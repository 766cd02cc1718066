-- Working hours and holidays are data: a category's deadline counts either calendar hours
-- (deadline_basis 'calendar', as before) or working hours — inside the opening hours of the working
-- week, skipping holidays — in Europe/Kyiv. A city edits these tables; the catalogue's cache on every
-- instance drops itself when they change (NOTIFY misto_catalogue, migration 081).
CREATE TABLE work_week (
  isodow smallint PRIMARY KEY CHECK (isodow BETWEEN 1 AND 7),   -- 1 = Monday … 7 = Sunday
  opens  time NOT NULL,
  closes time NOT NULL,
  CHECK (closes > opens)
);
INSERT INTO work_week (isodow, opens, closes) VALUES
  (1, '08:00', '17:00'), (2, '08:00', '17:00'), (3, '08:00', '17:00'), (4, '08:00', '17:00'), (5, '08:00', '17:00');

CREATE TABLE holiday (
  day  date PRIMARY KEY,
  name text NOT NULL CHECK (name <> '')
);

ALTER TABLE category
  ADD COLUMN deadline_basis text NOT NULL DEFAULT 'calendar' CHECK (deadline_basis IN ('calendar', 'working'));

CREATE TRIGGER work_week_catalogue_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON work_week
  FOR EACH STATEMENT EXECUTE FUNCTION catalogue_notify_change();
CREATE TRIGGER holiday_catalogue_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON holiday
  FOR EACH STATEMENT EXECUTE FUNCTION catalogue_notify_change();
