-- Subscribers read mail in their language; the outbox retries failed sends with a backoff.
ALTER TABLE announcement_subscription
  ADD COLUMN lang text NOT NULL DEFAULT 'uk' CHECK (lang IN ('uk', 'en'));

ALTER TABLE outbox_mail
  ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();
DROP INDEX IF EXISTS outbox_mail_pending_idx;
CREATE INDEX outbox_mail_pending_idx ON outbox_mail (next_attempt_at) WHERE sent_at IS NULL;

-- Statistics group announcements by period of their start and by district.
CREATE INDEX announcement_executor_idx ON announcement (executor_id);
CREATE INDEX announcement_status_ends_idx ON announcement (ends_at) WHERE status = 'published';
