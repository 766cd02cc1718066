-- Failed sign-ins, counted where every instance sees them. A key is one of: an account from one
-- address, an address over all accounts, an account over all addresses; and an address that has
-- signed in to an account before (which the account-wide limit spares, so an attacker elsewhere
-- cannot keep an operator out of their own workstation).
CREATE TABLE sign_in_throttle (
  key             text PRIMARY KEY CHECK (length(key) <= 400),
  failures        integer NOT NULL DEFAULT 0,
  last_at         timestamptz NOT NULL,
  blocked_until   timestamptz NOT NULL
);
CREATE INDEX sign_in_throttle_last_idx ON sign_in_throttle (last_at);
