-- Survey and control calls. A survey belongs to one appeal_event — the status change to "done" that
-- asked for it (or the closing a control call samples) — so a second "done" after Control is a new
-- survey and a rescan of the same event is a no-op. Each dialling is a survey_attempt row: an
-- attempt without ended_at holds one outbound channel, which is how every server process counts
-- the channel limit in one place.
DROP TABLE IF EXISTS survey_call; -- the early shape of 005, never written by the product

-- Residents who asked not to be called by the city's robot.
ALTER TABLE resident ADD COLUMN no_robocalls boolean NOT NULL DEFAULT false;

CREATE TABLE survey (
  id          bigserial PRIMARY KEY,
  appeal_id   bigint NOT NULL REFERENCES appeal,
  event_id    bigint NOT NULL UNIQUE REFERENCES appeal_event,
  -- survey: after "done" (confirm + rate); control: a sample of closed appeals (completion + quality)
  kind        text NOT NULL CHECK (kind IN ('survey', 'control')),
  phone       text CHECK (phone IS NULL OR phone ~ '^\+[1-9][0-9]{7,14}$'),
  -- pending: waits for next_at; calling: an attempt is on the line; over: nothing more will be dialled
  state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'calling', 'over')),
  -- how it ended: confirmed / not_confirmed (the resident pressed 1 / 2), unreached (attempts used
  -- up), invalid_number, skipped (no number, the resident opted out, the appeal moved on)
  result      text CHECK (result IN ('confirmed', 'not_confirmed', 'unreached', 'invalid_number', 'skipped')),
  skip_reason text,
  rating      smallint CHECK (rating BETWEEN 1 AND 5),
  attempts    smallint NOT NULL DEFAULT 0,
  next_at     timestamptz NOT NULL,
  created_at  timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX survey_due_idx ON survey (next_at) WHERE state = 'pending';
CREATE INDEX survey_appeal_idx ON survey (appeal_id);

CREATE TABLE survey_attempt (
  id          bigserial PRIMARY KEY,
  survey_id   bigint NOT NULL REFERENCES survey,
  n           smallint NOT NULL,
  action_id   text NOT NULL UNIQUE,
  started_at  timestamptz NOT NULL,
  answered_at timestamptz,
  ended_at    timestamptz,
  -- answered (a key 1 or 2), no_input (answered, nothing usable pressed), no_pickup, busy,
  -- invalid_number, failed (congestion, the PBX refused, the call was lost)
  outcome     text CHECK (outcome IN ('answered', 'no_input', 'no_pickup', 'busy', 'invalid_number', 'failed')),
  reason      smallint,       -- OriginateResponse Reason
  cause       smallint,       -- Q.850 cause of the Hangup
  dial_status text,
  digit       text,
  rating      smallint CHECK (rating BETWEEN 1 AND 5),
  UNIQUE (survey_id, n),
  CHECK ((ended_at IS NULL) = (outcome IS NULL))
);
-- The channel count: attempts on the line.
CREATE INDEX survey_attempt_live_idx ON survey_attempt (started_at) WHERE ended_at IS NULL;
CREATE INDEX survey_attempt_started_idx ON survey_attempt (started_at);

-- Where the scheduler's scan of appeal_event stopped (one row). History that exists before surveys
-- do is not surveyed.
CREATE TABLE survey_scan (
  id            int PRIMARY KEY CHECK (id = 1),
  last_event_id bigint NOT NULL
);
INSERT INTO survey_scan SELECT 1, coalesce(max(id), 0) FROM appeal_event;
