-- The access log: audit entries that stand alone (page views, lists, searches, logins,
-- refusals, CLI commands), in a file of their own attached as `access` (see
-- src/sql/audit.rs for why). The same shape and rules as the main audit tables in
-- 0001_foundation.sql and 0017_audit_chain.sql. Run at every start: each statement is
-- a no-op once done (a file made before the chain gets its two columns in
-- `ensure_access_log`).
CREATE TABLE IF NOT EXISTS access.audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    user_id TEXT,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    origin TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT,
    hash TEXT
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
-- Issue 13, item 10: the persons an entry names are append-only too.
CREATE TRIGGER IF NOT EXISTS access.audit_persons_no_update BEFORE UPDATE ON audit_persons
BEGIN SELECT RAISE(ABORT, 'audit_persons is append-only'); END;
CREATE TRIGGER IF NOT EXISTS access.audit_persons_no_delete BEFORE DELETE ON audit_persons
BEGIN SELECT RAISE(ABORT, 'audit_persons is append-only'); END;
-- The chain's head, as in the main file (0017_audit_chain.sql); entries written
-- before it began are counted once, when the head is made.
CREATE TABLE IF NOT EXISTS access.audit_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    length BIGINT NOT NULL,
    head_id TEXT,
    hash TEXT NOT NULL,
    unchained BIGINT NOT NULL
);
INSERT OR IGNORE INTO access.audit_chain (id, length, head_id, hash, unchained)
    SELECT 1, 0, NULL, '', COUNT(*) FROM access.audit_log;
CREATE TRIGGER IF NOT EXISTS access.audit_chain_forward_only BEFORE UPDATE ON audit_chain
    WHEN NEW.length < OLD.length OR NEW.id <> OLD.id OR NEW.unchained <> OLD.unchained
BEGIN SELECT RAISE(ABORT, 'audit_chain only moves forward'); END;
CREATE TRIGGER IF NOT EXISTS access.audit_chain_no_delete BEFORE DELETE ON audit_chain
BEGIN SELECT RAISE(ABORT, 'audit_chain is append-only'); END;
-- The id that binds this file to its main database (see 0017_audit_chain.sql).
CREATE TABLE IF NOT EXISTS access.access_log_binding (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS access.access_log_binding_no_update BEFORE UPDATE ON access_log_binding
BEGIN SELECT RAISE(ABORT, 'access_log_binding is append-only'); END;
CREATE TRIGGER IF NOT EXISTS access.access_log_binding_no_delete BEFORE DELETE ON access_log_binding
BEGIN SELECT RAISE(ABORT, 'access_log_binding is append-only'); END;
