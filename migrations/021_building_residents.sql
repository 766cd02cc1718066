-- Residents per building, kept by statement-level triggers on resident, so an announcement's
-- preview sums ~1,000 small rows instead of counting ~30,000 residents while the utility draws.
-- Statement triggers with transition tables cost one grouped upsert per COPY/INSERT, not one per row.
CREATE TABLE building_resident_count (
  building_id int PRIMARY KEY REFERENCES building ON DELETE CASCADE,
  residents   int NOT NULL CHECK (residents >= 0)
);

INSERT INTO building_resident_count (building_id, residents)
SELECT building_id, count(*) FROM resident WHERE building_id IS NOT NULL GROUP BY building_id;

CREATE FUNCTION resident_count_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO building_resident_count AS c (building_id, residents)
  SELECT building_id, count(*) FROM new_rows WHERE building_id IS NOT NULL GROUP BY building_id
  ON CONFLICT (building_id) DO UPDATE SET residents = c.residents + EXCLUDED.residents;
  RETURN NULL;
END $$;

CREATE FUNCTION resident_count_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE building_resident_count c SET residents = c.residents - d.n
    FROM (SELECT building_id, count(*) AS n FROM old_rows WHERE building_id IS NOT NULL GROUP BY building_id) d
   WHERE c.building_id = d.building_id;
  RETURN NULL;
END $$;

CREATE FUNCTION resident_count_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Existing rows move by the net change; buildings seen for the first time get a row.
  WITH net AS (
    SELECT building_id, sum(n)::int AS n FROM (
      SELECT building_id, -count(*) AS n FROM old_rows WHERE building_id IS NOT NULL GROUP BY building_id
      UNION ALL
      SELECT building_id, count(*) FROM new_rows WHERE building_id IS NOT NULL GROUP BY building_id
    ) m GROUP BY building_id HAVING sum(n) <> 0
  ), moved AS (
    UPDATE building_resident_count c SET residents = c.residents + net.n FROM net
     WHERE c.building_id = net.building_id RETURNING c.building_id
  )
  INSERT INTO building_resident_count (building_id, residents)
  SELECT building_id, n FROM net WHERE n > 0 AND building_id NOT IN (SELECT building_id FROM moved);
  RETURN NULL;
END $$;

CREATE FUNCTION resident_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM building_resident_count;
  RETURN NULL;
END $$;

CREATE TRIGGER resident_count_ins AFTER INSERT ON resident
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION resident_count_ins();
CREATE TRIGGER resident_count_del AFTER DELETE ON resident
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION resident_count_del();
CREATE TRIGGER resident_count_upd AFTER UPDATE ON resident
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION resident_count_upd();
CREATE TRIGGER resident_count_truncate AFTER TRUNCATE ON resident
  FOR EACH STATEMENT EXECUTE FUNCTION resident_count_truncate();

-- The demo-city loader copies residents with session_replication_role = replica (foreign keys
-- unchecked); the counts must follow such bulk loads too.
ALTER TABLE resident ENABLE ALWAYS TRIGGER resident_count_ins;
ALTER TABLE resident ENABLE ALWAYS TRIGGER resident_count_del;
ALTER TABLE resident ENABLE ALWAYS TRIGGER resident_count_upd;
ALTER TABLE resident ENABLE ALWAYS TRIGGER resident_count_truncate;
