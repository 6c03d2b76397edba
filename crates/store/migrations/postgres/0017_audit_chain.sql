-- Issue 13, item 10: an audit log you can trust.
--
-- Every entry is linked to the one before it: `hash` = SHA-256 of the previous
-- entry's hash and this entry's content (domain::audit_chain), `prev_hash` the hash
-- it was linked to. Entries already here stay unlinked; the head counts them.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
-- The chain's head: one row, rewritten by every write of entries inside the same
-- transaction; its row lock makes concurrent writers take turns, so the chain cannot
-- fork. Its length only grows, so cutting entries off the end shows.
CREATE TABLE audit_chain (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    length BIGINT NOT NULL,
    head_id TEXT,
    hash TEXT NOT NULL,
    unchained BIGINT NOT NULL
);
INSERT INTO audit_chain (id, length, head_id, hash, unchained) SELECT 1, 0, NULL, '', COUNT(*) FROM audit_log;
-- One refusal for every audit table, naming it.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE FUNCTION audit_chain_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.length < OLD.length OR NEW.id <> OLD.id OR NEW.unchained <> OLD.unchained THEN
        RAISE EXCEPTION 'audit_chain only moves forward';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_chain_forward_only BEFORE UPDATE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION audit_chain_forward_only();
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- The persons an entry names were not protected (issue 13: "who read whom" could be
-- edited away).
CREATE TRIGGER audit_persons_no_change BEFORE UPDATE OR DELETE ON audit_persons
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- TRUNCATE fires no row triggers: each table refuses it with a statement trigger.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_persons_no_truncate BEFORE TRUNCATE ON audit_persons
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
