-- An analyst reads appeals without the residents' free text (the appeal's words, the executor's
-- answer, comments, reasons) unless an admin grants it (vocabulary/roles.ts canSeeFreeText). One
-- capability on the user: the session reads the user on every request, so a grant or a revocation
-- counts from the next one; who granted it and when is in the audit log (user.grant_appeal_text,
-- user.revoke_appeal_text). Other roles see what they always saw: the column means nothing for them.
ALTER TABLE app_user ADD COLUMN sees_appeal_text boolean NOT NULL DEFAULT false;
