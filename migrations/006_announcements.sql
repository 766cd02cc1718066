-- Utilities' planned outages and excavations with the buildings they affect.
CREATE TABLE announcement (
  id               serial PRIMARY KEY,
  kind             text NOT NULL CHECK (kind IN ('outage', 'excavation')),
  utility          text NOT NULL CHECK (utility IN ('electricity', 'gas', 'cold_water', 'hot_water', 'heating')),
  executor_id      int NOT NULL REFERENCES executor,
  title            text NOT NULL DEFAULT '',
  description      text NOT NULL DEFAULT '',
  contact          text NOT NULL DEFAULT '',
  starts_at        timestamptz NOT NULL,
  ends_at          timestamptz NOT NULL,
  status           text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'cancelled', 'closed')),
  -- How the zone was drawn: polygon, buffered line (width in metres) or picked buildings.
  source_kind      text NOT NULL DEFAULT 'polygon' CHECK (source_kind IN ('polygon', 'line', 'buildings')),
  source_geom      geometry(Geometry, 4326),
  buffer_m         real,
  zone             geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(zone) AND NOT ST_IsEmpty(zone)),
  zone_3857        geometry(MultiPolygon, 3857) GENERATED ALWAYS AS (ST_Transform(zone, 3857)) STORED,
  centroid         geometry(Point, 4326) GENERATED ALWAYS AS (ST_PointOnSurface(zone)) STORED,
  buildings_count  int NOT NULL DEFAULT 0,
  apartments_count int NOT NULL DEFAULT 0,
  residents_count  int NOT NULL DEFAULT 0,
  created_by       int REFERENCES app_user,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  closed_at        timestamptz,
  CHECK (ends_at > starts_at)
);
CREATE INDEX announcement_zone_idx ON announcement USING gist (zone);
CREATE INDEX announcement_zone_3857_idx ON announcement USING gist (zone_3857);
CREATE INDEX announcement_time_idx ON announcement (starts_at, ends_at);

CREATE TABLE announcement_building (
  announcement_id int NOT NULL REFERENCES announcement ON DELETE CASCADE,
  building_id     int NOT NULL REFERENCES building,
  PRIMARY KEY (announcement_id, building_id)
);
CREATE INDEX announcement_building_building_idx ON announcement_building (building_id);

CREATE TABLE announcement_event (
  id              bigserial PRIMARY KEY,
  announcement_id int NOT NULL REFERENCES announcement ON DELETE CASCADE,
  at              timestamptz NOT NULL DEFAULT now(),
  actor_id        int REFERENCES app_user,
  kind            text NOT NULL CHECK (kind IN ('published', 'changed', 'cancelled', 'closed')),
  data            jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX announcement_event_announcement_idx ON announcement_event (announcement_id, at);

-- "My building" e-mail subscriptions, double opt-in.
CREATE TABLE announcement_subscription (
  id              serial PRIMARY KEY,
  email           text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
  building_id     int NOT NULL REFERENCES building,
  token           text NOT NULL UNIQUE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  confirmed_at    timestamptz,
  unsubscribed_at timestamptz
);
CREATE UNIQUE INDEX announcement_subscription_live_idx
  ON announcement_subscription (email, building_id) WHERE unsubscribed_at IS NULL;
CREATE INDEX announcement_subscription_building_idx ON announcement_subscription (building_id);

-- Outgoing mail is written here first (same transaction as the change that causes it) and
-- sent by a worker that claims rows with FOR UPDATE SKIP LOCKED: nothing is lost on a crash.
CREATE TABLE outbox_mail (
  id         bigserial PRIMARY KEY,
  to_addr    text NOT NULL,
  subject    text NOT NULL,
  text_body  text NOT NULL,
  html_body  text,
  kind       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  attempts   int NOT NULL DEFAULT 0,
  last_error text,
  sent_at    timestamptz
);
CREATE INDEX outbox_mail_pending_idx ON outbox_mail (created_at) WHERE sent_at IS NULL;
