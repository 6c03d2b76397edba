-- The access log: audit entries that stand alone (page views, lists, searches, logins,
-- refusals, CLI commands), in a file of their own attached as `access` (see
-- src/sql/audit.rs for why). The same shape and rules as the main audit tables in
-- 0001_foundation.sql. Run at every start: each statement is a no-op once done.
CREATE TABLE IF NOT EXISTS access.audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    user_id TEXT,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    origin TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS access.audit_log_user ON audit_log(user_id, seq);
CREATE TABLE IF NOT EXISTS access.audit_persons (
    audit_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    PRIMARY KEY (audit_id, person_id)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS access.audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS access.audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
