CREATE TABLE app_user (
  id            serial PRIMARY KEY,
  login         text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9._-]{2,64}$'),
  full_name     text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'operator', 'executor', 'analyst')),
  -- An executor user acts for exactly one organisation.
  executor_id   int REFERENCES executor,
  -- The operator's phone as Asterisk names it (queue member interface, e.g. "PJSIP/101").
  sip_interface text UNIQUE,
  password_hash text NOT NULL,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'executor') = (executor_id IS NOT NULL))
);

-- Only a hash of the session token is stored, so a leaked table grants no sessions.
CREATE TABLE user_session (
  token_hash bytea PRIMARY KEY,
  user_id    int NOT NULL REFERENCES app_user ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX user_session_user_idx ON user_session (user_id);
CREATE INDEX user_session_expires_idx ON user_session (expires_at);
