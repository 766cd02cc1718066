-- Every confirmation mail a subscription request made the city send: to whom and at whose asking
-- (the client's address), so requests beyond the limits are refused before a mail is queued.
CREATE TABLE confirmation_mail_log (
  id       bigserial PRIMARY KEY,
  email    text NOT NULL,
  client   text NOT NULL,
  sent_at  timestamptz NOT NULL
);
CREATE INDEX confirmation_mail_log_email_idx ON confirmation_mail_log (lower(email), sent_at);
CREATE INDEX confirmation_mail_log_client_idx ON confirmation_mail_log (client, sent_at);
