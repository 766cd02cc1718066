-- The web intake (/report): photos residents attach, the private tracking link of each web appeal,
-- and every submission, so one client or one address cannot flood the city with appeals and mail.

-- A photo, re-encoded without metadata (no EXIF location), kept as a file under DATA_DIR/photos
-- (outside the web root) and served only to those who may read its appeal.
CREATE TABLE appeal_photo (
  id         bigserial PRIMARY KEY,
  appeal_id  bigint NOT NULL REFERENCES appeal ON DELETE CASCADE,
  file       text NOT NULL UNIQUE CHECK (file ~ '^[0-9a-f]{32}\.(jpg|png|webp)$'),
  mime       text NOT NULL CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp')),
  bytes      int NOT NULL CHECK (bytes > 0),
  width      int NOT NULL CHECK (width > 0),
  height     int NOT NULL CHECK (height > 0),
  created_at timestamptz NOT NULL
);
CREATE INDEX appeal_photo_appeal_idx ON appeal_photo (appeal_id);

-- The link mailed to the resident: only the SHA-256 of its random token is kept.
CREATE TABLE appeal_track (
  appeal_id  bigint PRIMARY KEY REFERENCES appeal ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE web_report_log (
  id     bigserial PRIMARY KEY,
  email  text NOT NULL,
  client text NOT NULL,
  at     timestamptz NOT NULL
);
CREATE INDEX web_report_log_email_idx ON web_report_log (lower(email), at);
CREATE INDEX web_report_log_client_idx ON web_report_log (client, at);
