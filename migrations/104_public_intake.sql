-- Appeals filed by residents themselves — through the web form or an Open311 client — rather than
-- by an operator: the `open311` channel, and the contact they left. The phone goes where every
-- appeal keeps it (appeal.caller_phone: surveys dial it); name and e-mail, which phone appeals take
-- from the resident register, are kept here. Personal data: read only by roles that may see it.
ALTER TABLE appeal DROP CONSTRAINT appeal_channel_check;
ALTER TABLE appeal ADD CONSTRAINT appeal_channel_check
  CHECK (channel IN ('phone', 'web', 'app', 'email', 'social', 'walk_in', 'open311'));

CREATE TABLE appeal_contact (
  appeal_id bigint PRIMARY KEY REFERENCES appeal ON DELETE CASCADE,
  name      text CHECK (name IS NULL OR length(name) BETWEEN 1 AND 200),
  email     text CHECK (email IS NULL OR (length(email) <= 254 AND email ~ '^[^@\s]+@[^@\s]+$')),
  CHECK (name IS NOT NULL OR email IS NOT NULL)
);
