-- Supervisors watch the contact centre live (the wallboard) and its statistics; they see no
-- resident's personal data.
ALTER TABLE app_user DROP CONSTRAINT app_user_role_check;
ALTER TABLE app_user ADD CONSTRAINT app_user_role_check
  CHECK (role IN ('admin', 'operator', 'executor', 'analyst', 'supervisor'));
