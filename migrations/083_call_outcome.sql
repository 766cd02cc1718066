-- One row per call, whatever the channel technology, and how it ended.
--
-- A call is what Asterisk links under one Linkedid: the uniqueid of a call row is its Linkedid (the
-- first channel: a trunk channel, or the ";1" half of a Local channel). Earlier versions logged
-- both halves of a Local call as two rows; those pairs are merged here into the row of the ";1"
-- half, which keeps the appeals and recordings of both.
--
-- queued_at: when the call entered the operators' queue (or dialled an operator directly); waits,
-- the service level and abandonment count from there. queue_status: Asterisk's QUEUESTATUS when
-- Queue() gave up (JOINEMPTY, LEAVEEMPTY, TIMEOUT, FULL). outcome: vocabulary/telephony.ts.
ALTER TABLE call
  ADD COLUMN queued_at timestamptz,
  ADD COLUMN queue_status text,
  ADD COLUMN outcome text CHECK (outcome IN ('answered', 'abandoned_queue', 'abandoned_ringing', 'no_operators',
    'queue_timeout', 'queue_full', 'unanswered', 'ended_before_queue', 'lost'));

-- The second halves, with the row they belong to.
CREATE TEMPORARY TABLE call_half ON COMMIT DROP AS
  SELECT h.id AS half, p.id AS parent
    FROM call h JOIN call p ON p.uniqueid = h.linkedid AND p.id <> h.id;

UPDATE call p SET
    queue = coalesce(p.queue, h.queue), operator_id = coalesce(p.operator_id, h.operator_id),
    agent_interface = coalesce(p.agent_interface, h.agent_interface), resident_id = coalesce(p.resident_id, h.resident_id),
    caller_phone = coalesce(p.caller_phone, h.caller_phone), answered_at = coalesce(p.answered_at, h.answered_at),
    hungup_at = greatest(p.hungup_at, h.hungup_at), consultation = p.consultation OR h.consultation,
    note = coalesce(p.note, h.note), entered_at = least(p.entered_at, h.entered_at)
  FROM call_half x JOIN call h ON h.id = x.half
 WHERE p.id = x.parent;
UPDATE appeal a SET call_id = x.parent FROM call_half x WHERE a.call_id = x.half;
DELETE FROM recording r USING call_half x
 WHERE r.call_id = x.half AND EXISTS (SELECT 1 FROM recording o WHERE o.call_id = x.parent AND o.path = r.path);
UPDATE recording r SET call_id = x.parent FROM call_half x WHERE r.call_id = x.half;
DELETE FROM call c USING call_half x WHERE c.id = x.half;

-- Ended calls logged before outcomes existed: what their columns can still tell.
UPDATE call SET outcome = CASE
    WHEN answered_at IS NOT NULL THEN 'answered'
    WHEN hangup_cause_text = 'Ended while the PBX connection was down' THEN 'lost'
    WHEN queue IS NOT NULL AND agent_interface IS NOT NULL THEN 'abandoned_ringing'
    WHEN queue IS NOT NULL THEN 'abandoned_queue'
    WHEN agent_interface IS NOT NULL THEN 'unanswered'
    ELSE 'ended_before_queue' END,
  queued_at = CASE WHEN queue IS NOT NULL OR agent_interface IS NOT NULL THEN entered_at END
 WHERE hungup_at IS NOT NULL;

-- The contact centre's statistics read ended calls by the time they entered, per queue and operator.
CREATE INDEX call_stats_idx ON call (entered_at) INCLUDE (outcome, queue, operator_id, queued_at, answered_at, hungup_at)
  WHERE hungup_at IS NOT NULL;
