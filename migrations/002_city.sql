-- The city: districts, streets, buildings, residents and their phones.
-- Geometry is stored in WGS 84 (SRID 4326, what GeoJSON and importers speak); tables
-- that feed vector tiles also keep a generated Web Mercator copy so a tile query never
-- re-projects rows on the hot path.

CREATE TABLE district (
  id        serial PRIMARY KEY,
  name      text NOT NULL UNIQUE,
  name_en   text,
  geom      geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom_3857 geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX district_geom_idx ON district USING gist (geom);
CREATE INDEX district_geom_3857_idx ON district USING gist (geom_3857);

CREATE TABLE street (
  id        serial PRIMARY KEY,
  name      text NOT NULL,                       -- "Незалежності"
  kind      text NOT NULL DEFAULT 'вулиця'
            CHECK (kind IN ('вулиця', 'проспект', 'бульвар', 'площа', 'провулок', 'набережна', 'шосе')),
  rank      smallint NOT NULL DEFAULT 3 CHECK (rank BETWEEN 1 AND 3), -- 1 main avenue, 2 secondary, 3 local
  geom      geometry(MultiLineString, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom_3857 geometry(MultiLineString, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
  UNIQUE (kind, name)
);
CREATE INDEX street_geom_idx ON street USING gist (geom);
CREATE INDEX street_geom_3857_idx ON street USING gist (geom_3857);
CREATE INDEX street_name_trgm_idx ON street USING gin (name gin_trgm_ops);

-- Organisations that carry out work: utilities, housing offices (ЖЕК/ЖЕД), city services.
CREATE TABLE executor (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  name_en     text,
  kind        text NOT NULL CHECK (kind IN ('utility', 'housing_office', 'city_service')),
  utility     text CHECK (utility IN ('electricity', 'gas', 'cold_water', 'hot_water', 'heating')),
  district_id int REFERENCES district,
  email       text CHECK (email IS NULL OR email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  phone       text,
  CHECK (kind = 'utility' OR utility IS NULL)
);

CREATE TABLE building (
  id                serial PRIMARY KEY,
  street_id         int NOT NULL REFERENCES street,
  house_number      text NOT NULL CHECK (house_number <> ''),
  -- "вул. Незалежності, 12": kept denormalised for the trigram geocoder.
  address           text NOT NULL,
  floors            smallint NOT NULL DEFAULT 1 CHECK (floors BETWEEN 1 AND 100),
  apartments        int NOT NULL DEFAULT 0 CHECK (apartments >= 0),
  district_id       int REFERENCES district,
  housing_office_id int REFERENCES executor,
  geom              geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
  geom_3857         geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
  centroid          geometry(Point, 4326) GENERATED ALWAYS AS (ST_PointOnSurface(geom)) STORED,
  UNIQUE (street_id, house_number)
);
CREATE INDEX building_geom_idx ON building USING gist (geom);
CREATE INDEX building_geom_3857_idx ON building USING gist (geom_3857);
CREATE INDEX building_centroid_idx ON building USING gist (centroid);
CREATE INDEX building_address_trgm_idx ON building USING gin (address gin_trgm_ops);
CREATE INDEX building_district_idx ON building (district_id);
CREATE INDEX building_housing_office_idx ON building (housing_office_id);

-- Residents are personal data: only operators and admins read them (enforced in the services).
CREATE TABLE resident (
  id          serial PRIMARY KEY,
  full_name   text NOT NULL CHECK (full_name <> ''),
  building_id int REFERENCES building,
  apartment   text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resident_building_idx ON resident (building_id);

-- One number identifies one resident: the caller lookup is a primary-key probe.
CREATE TABLE resident_phone (
  phone       text PRIMARY KEY CHECK (phone ~ '^\+[1-9][0-9]{7,14}$'),
  resident_id int NOT NULL REFERENCES resident ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resident_phone_resident_idx ON resident_phone (resident_id);

-- Green areas and water for the self-served basemap.
CREATE TABLE landuse (
  id        serial PRIMARY KEY,
  kind      text NOT NULL CHECK (kind IN ('park', 'forest', 'water', 'river')),
  name      text,
  geom      geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  geom_3857 geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED
);
CREATE INDEX landuse_geom_3857_idx ON landuse USING gist (geom_3857);
