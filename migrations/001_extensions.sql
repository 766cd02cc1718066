-- PostGIS for the city model and tiles; pg_trgm for the address geocoder.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
