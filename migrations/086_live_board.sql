-- The supervisor's wallboard, for instances that are not connected to the PBX (AMI_HOST=none behind
-- the same load balancer): the connected instance writes its board here at most once a second and
-- NOTIFYs misto_board; the others read it. UNLOGGED: a live picture, not worth the WAL or a backup.
CREATE UNLOGGED TABLE live_board (
  id         int PRIMARY KEY CHECK (id = 1),
  board      jsonb NOT NULL,
  written_at timestamptz NOT NULL
);
