-- Issue 13, item 4: failed logins per subject ('account:<username>' or
-- 'address:<ip>'), read to make the next try wait (domain::login). Rows older than
-- the throttle's window are deleted as new ones come, so it holds an hour at most.
CREATE TABLE login_failures (
    subject TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_subject ON login_failures(subject, at);

-- Issue 13, item 11: the version her record was read at travels with the edit form;
-- a save of an older version is refused instead of overwriting a colleague's change.
ALTER TABLE persons ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
