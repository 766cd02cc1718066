-- The lifecycle (vocabulary/appeal-lifecycle.ts): the `explained` status (a consultation answer, no
-- works; terminal), the planned date and its reason, the reason of a rejection, how many times the
-- resident has returned the appeal to Control, and the return of an appeal "not our competence" to
-- the contact centre's queue (cleared when it is re-assigned).
ALTER TABLE appeal DROP CONSTRAINT appeal_status_check;
ALTER TABLE appeal ADD CONSTRAINT appeal_status_check
  CHECK (status IN ('new', 'in_progress', 'planned', 'done', 'control', 'explained', 'rejected', 'closed'));

ALTER TABLE appeal
  ADD COLUMN planned_at    timestamptz,
  ADD COLUMN plan_reason   text CHECK (plan_reason IN ('needs_funding', 'seasonal', 'needs_study', 'other')),
  ADD COLUMN reject_reason text CHECK (reject_reason IN ('not_competent', 'duplicate', 'withdrawn')),
  ADD COLUMN control_count smallint NOT NULL DEFAULT 0 CHECK (control_count >= 0),
  ADD COLUMN returned_at   timestamptz,
  ADD COLUMN return_reason text;

-- The contact centre's queue of appeals returned by their executor, oldest first.
CREATE INDEX appeal_returned_idx ON appeal (returned_at) WHERE returned_at IS NOT NULL;

CREATE OR REPLACE FUNCTION appeal_status_is_open(status text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN status IN ('new', 'in_progress', 'planned', 'control');

CREATE OR REPLACE FUNCTION appeal_status_is_terminal(status text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN status IN ('explained', 'rejected', 'closed');
