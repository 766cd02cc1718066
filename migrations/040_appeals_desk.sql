-- Desk and executor lists: an appeal is looked up by the call it was registered during (recording
-- player, call log), and executors page through their organisation's appeals by due date.
CREATE INDEX appeal_call_idx ON appeal (call_id) WHERE call_id IS NOT NULL;
CREATE INDEX appeal_executor_due_idx ON appeal (executor_id, due_at);
