-- Notices to executors and the scheduled jobs (server/jobs/).
--
-- How an organisation hears of its appeals: each notice by mail at once, or only in the 07:00/19:00 digests.
ALTER TABLE executor
  ADD COLUMN notify_mode text NOT NULL DEFAULT 'immediate' CHECK (notify_mode IN ('immediate', 'digest'));

-- A `notify` event of the (append-only) history waits here until a sender handles it. A trigger
-- fills it, so every writer of a notify event — registration, re-assignment, Control — is covered
-- without knowing of it; senders claim rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE appeal_notice (
  -- No foreign key: the demo city's loader drops appeal_event's primary key while it copies.
  event_id    bigint PRIMARY KEY,
  appeal_id   bigint NOT NULL REFERENCES appeal,
  executor_id int NOT NULL REFERENCES executor,
  created_at  timestamptz NOT NULL,
  handled_at  timestamptz,
  -- mailed: queued in the outbox; digest: the organisation reads digests only; no_address: the
  -- organisation has no e-mail; stale: the appeal moved to another executor before it was sent.
  outcome     text CHECK (outcome IN ('mailed', 'digest', 'no_address', 'stale')),
  CHECK ((handled_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX appeal_notice_pending_idx ON appeal_notice (event_id) WHERE handled_at IS NULL;

CREATE FUNCTION appeal_notice_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO appeal_notice (event_id, appeal_id, executor_id, created_at)
  VALUES (NEW.id, NEW.appeal_id, (NEW.data->>'executorId')::int, NEW.at);
  RETURN NULL;
END
$$;
CREATE TRIGGER appeal_event_notice AFTER INSERT ON appeal_event
  FOR EACH ROW WHEN (NEW.kind = 'notify' AND NEW.data ? 'executorId') EXECUTE FUNCTION appeal_notice_enqueue();

-- Each run of a scheduled job, one row per slot (the job's scheduled instant): the primary key is
-- what makes a slot run once however many instances are up; the row is written in the same
-- transaction as the job's mail, so a slot either ran completely or not at all.
CREATE TABLE job_slot (
  job         text NOT NULL,
  slot        timestamptz NOT NULL,
  ran_at      timestamptz NOT NULL,
  instance    text NOT NULL,
  mails       int NOT NULL DEFAULT 0,
  PRIMARY KEY (job, slot)
);
