-- Lists across all organisations (administrators) read each status in due order, as the executor
-- lists do through appeal_executor_status_due_idx.
CREATE INDEX appeal_status_due_idx ON appeal (status, due_at) INCLUDE (id);
