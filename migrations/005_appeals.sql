-- The category catalogue: sphere → category, each with its executor rule and control deadline.
CREATE TABLE sphere (
  id      serial PRIMARY KEY,
  code    text NOT NULL UNIQUE,
  name    text NOT NULL,
  name_en text NOT NULL
);

CREATE TABLE category (
  id             serial PRIMARY KEY,
  sphere_id      int NOT NULL REFERENCES sphere,
  code           text NOT NULL UNIQUE,
  name           text NOT NULL,
  name_en        text NOT NULL,
  -- How the executor is chosen: the building's housing office, the district's service
  -- (category_district_executor), or one fixed organisation.
  executor_rule  text NOT NULL CHECK (executor_rule IN ('housing_office', 'district', 'fixed')),
  executor_id    int REFERENCES executor,        -- fixed executor, and the fallback for the other rules
  deadline_hours int NOT NULL CHECK (deadline_hours > 0),
  survey         boolean NOT NULL DEFAULT true,  -- automated confirmation call after "done"
  infra_kind     text,                           -- infrastructure kind the category is usually about
  active         boolean NOT NULL DEFAULT true,
  CHECK (executor_rule <> 'fixed' OR executor_id IS NOT NULL)
);

CREATE TABLE category_district_executor (
  category_id int NOT NULL REFERENCES category,
  district_id int NOT NULL REFERENCES district,
  executor_id int NOT NULL REFERENCES executor,
  PRIMARY KEY (category_id, district_id)
);

CREATE SEQUENCE appeal_number_seq;

-- Calls are shaped here because appeals point at the call they were registered during;
-- the telephony service fills them.
CREATE TABLE call (
  id              bigserial PRIMARY KEY,
  uniqueid        text NOT NULL UNIQUE,
  linkedid        text,
  direction       text NOT NULL DEFAULT 'in' CHECK (direction IN ('in', 'out')),
  caller_phone    text,
  called_number   text,
  queue           text,
  operator_id     int REFERENCES app_user,
  agent_interface text,
  resident_id     int REFERENCES resident,
  entered_at      timestamptz NOT NULL DEFAULT now(),
  answered_at     timestamptz,
  hungup_at       timestamptz,
  hangup_cause    int,
  hangup_cause_text text,
  -- A call answered without a new appeal ("hot water is off until 18:00").
  consultation    boolean NOT NULL DEFAULT false,
  note            text
);
CREATE INDEX call_linkedid_idx ON call (linkedid);
CREATE INDEX call_entered_idx ON call (entered_at);
CREATE INDEX call_caller_idx ON call (caller_phone);

CREATE TABLE recording (
  id         bigserial PRIMARY KEY,
  call_id    bigint NOT NULL REFERENCES call ON DELETE CASCADE,
  path       text NOT NULL,          -- relative to RECORDINGS_DIR
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at   timestamptz,
  bytes      bigint,
  UNIQUE (call_id, path)
);

CREATE TABLE appeal (
  id                 bigserial PRIMARY KEY,
  number             text NOT NULL UNIQUE,          -- "15-80/2026/000123"
  channel            text NOT NULL DEFAULT 'phone'
                     CHECK (channel IN ('phone', 'web', 'app', 'email', 'social', 'walk_in')),
  caller_phone       text CHECK (caller_phone IS NULL OR caller_phone ~ '^\+[1-9][0-9]{7,14}$'),
  resident_id        int REFERENCES resident,
  building_id        int REFERENCES building,
  apartment          text,
  infra_object_id    int REFERENCES infra_object,
  point              geometry(Point, 4326),
  category_id        int NOT NULL REFERENCES category,
  executor_id        int NOT NULL REFERENCES executor,
  text               text NOT NULL DEFAULT '',
  -- new → in_progress | planned → done → (survey) closed | control → in_progress …; rejected ends it.
  status             text NOT NULL DEFAULT 'new'
                     CHECK (status IN ('new', 'in_progress', 'planned', 'done', 'control', 'rejected', 'closed')),
  confirmation       text CHECK (confirmation IN ('confirmed', 'not_confirmed')),
  rating             smallint CHECK (rating BETWEEN 1 AND 5),
  due_at             timestamptz NOT NULL,
  executor_override_reason text,
  due_override_reason      text,
  operator_id        int REFERENCES app_user,
  call_id            bigint REFERENCES call,
  answer             text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  done_at            timestamptz,
  closed_at          timestamptz
);
CREATE INDEX appeal_resident_idx ON appeal (resident_id, created_at DESC);
CREATE INDEX appeal_building_idx ON appeal (building_id, created_at DESC);
CREATE INDEX appeal_executor_status_idx ON appeal (executor_id, status);
CREATE INDEX appeal_created_idx ON appeal (created_at);
CREATE INDEX appeal_category_created_idx ON appeal (category_id, created_at);
CREATE INDEX appeal_point_idx ON appeal USING gist (point);

-- Append-only history of an appeal: registration, assignment, status changes, answers, surveys.
CREATE TABLE appeal_event (
  id        bigserial PRIMARY KEY,
  appeal_id bigint NOT NULL REFERENCES appeal,
  at        timestamptz NOT NULL DEFAULT now(),
  actor_id  int REFERENCES app_user,
  kind      text NOT NULL CHECK (kind IN ('created', 'assigned', 'status', 'answer', 'comment',
                                         'override', 'notify', 'survey', 'recording')),
  data      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX appeal_event_appeal_idx ON appeal_event (appeal_id, at);

CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER appeal_event_append_only BEFORE UPDATE OR DELETE ON appeal_event
  FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Automated confirmation calls after "done" (press 1/2, rate 1–5).
CREATE TABLE survey_call (
  id          bigserial PRIMARY KEY,
  appeal_id   bigint NOT NULL REFERENCES appeal,
  phone       text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{7,14}$'),
  attempt     smallint NOT NULL DEFAULT 1,
  state       text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'calling', 'finished')),
  -- answered, no_answer (answered but no key pressed), no_pickup, busy, invalid_number, failed
  outcome     text CHECK (outcome IN ('answered', 'no_answer', 'no_pickup', 'busy', 'invalid_number', 'failed')),
  reason      int,            -- AMI OriginateResponse Reason
  cause       int,            -- Q.850 hangup cause
  confirmed   boolean,
  rating      smallint CHECK (rating BETWEEN 1 AND 5),
  action_id   text UNIQUE,
  scheduled_at timestamptz NOT NULL DEFAULT now(),
  started_at  timestamptz,
  finished_at timestamptz
);
CREATE INDEX survey_call_state_idx ON survey_call (state, scheduled_at);
CREATE INDEX survey_call_appeal_idx ON survey_call (appeal_id);
