-- Telephony: the caller's channel name (needed to hang up or record a call through AMI and to match
-- a call against the PBX's live channels after a reconnect), the call log per operator, and the
-- calls still in progress, which every reconnect compares with the PBX's CoreShowChannels list.
ALTER TABLE call ADD COLUMN channel text;
CREATE INDEX call_operator_idx ON call (operator_id, id DESC) WHERE operator_id IS NOT NULL;
CREATE INDEX call_open_idx ON call (uniqueid) WHERE hungup_at IS NULL;
