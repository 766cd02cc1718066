-- City infrastructure shown on Karta and pinpointed by operators.
CREATE TABLE infra_object (
  id              serial PRIMARY KEY,
  kind            text NOT NULL
                  CHECK (kind IN ('traffic_light', 'stop', 'container_site', 'kiosk', 'cleaning_zone', 'other')),
  name            text,
  address         text,
  -- Only keys the UI knows how to show: e.g. {"routes": "3, 12", "containers": 4, "owner": "..."}
  attributes      jsonb NOT NULL DEFAULT '{}'::jsonb,
  organisation_id int REFERENCES executor,       -- responsible organisation
  source          text,                         -- where it was imported from, e.g. "osm:node/123"
  geom            geometry(Geometry, 4326) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
  geom_3857       geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  -- Cleaning zones are areas; everything else is a point.
  CHECK (CASE WHEN kind = 'cleaning_zone'
              THEN GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')
              ELSE GeometryType(geom) = 'POINT' END),
  CHECK (ST_SRID(geom) = 4326)
);
CREATE INDEX infra_object_geom_idx ON infra_object USING gist (geom);
CREATE INDEX infra_object_geom_3857_idx ON infra_object USING gist (geom_3857);
CREATE INDEX infra_object_kind_idx ON infra_object (kind);
CREATE UNIQUE INDEX infra_object_source_idx ON infra_object (source) WHERE source IS NOT NULL;
