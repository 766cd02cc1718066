-- What an appeal status means, once for SQL as vocabulary/appeals.ts says it for the code: "open" —
-- the executor still owes work (overdue once past the due date); "terminal" — nothing more will
-- happen. IMMUTABLE SQL functions are inlined by the planner, so indexes on status still serve.
-- A new status: a migration that replaces these two and the CHECK on appeal.status.
CREATE FUNCTION appeal_status_is_open(status text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN status IN ('new', 'in_progress', 'planned', 'control');

CREATE FUNCTION appeal_status_is_terminal(status text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN status IN ('rejected', 'closed');
