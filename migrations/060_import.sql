-- Imports of real data (gis-data/import.ts): ogr2ogr loads a file into the `staging` schema, one
-- transaction merges it into the model, and the run is logged with its report.
CREATE SCHEMA IF NOT EXISTS staging;

-- A building file names streets that may have no line geometry anywhere (a street known only from
-- addresses). Inventing a line would put a fake street on the map; an unknown geometry stays NULL
-- until a streets layer (or an OSM extract) supplies it.
ALTER TABLE street ALTER COLUMN geom DROP NOT NULL;

CREATE TABLE import_run (
  id          serial PRIMARY KEY,
  layer       text NOT NULL,
  file        text NOT NULL,
  report      jsonb NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
