-- Issue 13, item 10: an audit log you can trust.
--
-- Every entry is linked to the one before it: `hash` = SHA-256 of the previous
-- entry's hash and this entry's content (domain::audit_chain), `prev_hash` the hash
-- it was linked to. Entries already here stay unlinked; the head counts them.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
-- The chain's head: one row, rewritten by every write of entries inside the same
-- transaction (which also makes concurrent writers take turns, so the chain cannot
-- fork). Its length only grows, so cutting entries off the end shows.
CREATE TABLE audit_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    length BIGINT NOT NULL,
    head_id TEXT,
    hash TEXT NOT NULL,
    unchained BIGINT NOT NULL
);
INSERT INTO audit_chain (id, length, head_id, hash, unchained) SELECT 1, 0, NULL, '', COUNT(*) FROM audit_log;
CREATE TRIGGER audit_chain_forward_only BEFORE UPDATE ON audit_chain
    WHEN NEW.length < OLD.length OR NEW.id <> OLD.id OR NEW.unchained <> OLD.unchained
BEGIN SELECT RAISE(ABORT, 'audit_chain only moves forward'); END;
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
BEGIN SELECT RAISE(ABORT, 'audit_chain is append-only'); END;
-- The persons an entry names were not protected (issue 13: "who read whom" could be
-- edited away).
CREATE TRIGGER audit_persons_no_update BEFORE UPDATE ON audit_persons
BEGIN SELECT RAISE(ABORT, 'audit_persons is append-only'); END;
CREATE TRIGGER audit_persons_no_delete BEFORE DELETE ON audit_persons
BEGIN SELECT RAISE(ABORT, 'audit_persons is append-only'); END;
-- The access log's file is bound to this one: a random id written to both when they
-- are made together, checked at every start, so that a deleted or swapped access log
-- stops the server instead of being silently replaced by an empty one.
CREATE TABLE access_log_binding (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);
CREATE TRIGGER access_log_binding_no_update BEFORE UPDATE ON access_log_binding
BEGIN SELECT RAISE(ABORT, 'access_log_binding is append-only'); END;
CREATE TRIGGER access_log_binding_no_delete BEFORE DELETE ON access_log_binding
BEGIN SELECT RAISE(ABORT, 'access_log_binding is append-only'); END;
