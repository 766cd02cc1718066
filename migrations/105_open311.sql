-- Open311 GeoReport v2 (server/open311): the API keys an admin issues to client systems, what an
-- Open311 request brought besides the appeal itself, and the per-key request counter of the rate limit.
-- Only a key's SHA-256 is kept; the key itself is shown once, when issued.
CREATE TABLE api_key (
  id           serial PRIMARY KEY,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- The key's first characters, so an admin can tell keys apart without the key.
  prefix       text NOT NULL CHECK (length(prefix) BETWEEN 4 AND 20),
  hash         bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
  created_by   int REFERENCES app_user,
  created_at   timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at   timestamptz
);

-- An appeal filed through Open311: which key filed it, and the client's own fields. The appeal's
-- request_id is the token `tokens/{token}` resolves. device_id and account_id identify the
-- resident in the client's system: never shown by any GET.
CREATE TABLE open311_request (
  appeal_id  bigint PRIMARY KEY REFERENCES appeal ON DELETE CASCADE,
  api_key_id int NOT NULL REFERENCES api_key,
  media_url  text CHECK (media_url IS NULL OR length(media_url) <= 2000),
  device_id  text CHECK (device_id IS NULL OR length(device_id) <= 200),
  account_id text CHECK (account_id IS NULL OR length(account_id) <= 200)
);

-- Requests per key per minute, counted where every instance sees them.
CREATE TABLE api_key_rate (
  api_key_id int NOT NULL REFERENCES api_key ON DELETE CASCADE,
  minute     timestamptz NOT NULL,
  requests   int NOT NULL,
  PRIMARY KEY (api_key_id, minute)
);
CREATE INDEX api_key_rate_minute_idx ON api_key_rate (minute);

-- servicerequestupdates reads status changes and answers by time.
CREATE INDEX appeal_event_updates_idx ON appeal_event (at) WHERE kind IN ('status', 'answer');
