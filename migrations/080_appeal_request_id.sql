-- Registration is idempotent: the desk sends a request id (Idempotency-Key) with each new appeal,
-- and a retry after a lost response finds the appeal the first attempt made instead of a second one.
ALTER TABLE appeal ADD COLUMN request_id uuid;
CREATE UNIQUE INDEX appeal_request_idx ON appeal (request_id) WHERE request_id IS NOT NULL;
