-- Issue 13, item 6: who made whom. `created_by` is the user who created a login (NULL
-- for the operator's `opsog user add` on the server's own machine, and for logins from
-- before this migration). A plan's approver must not be a login its author created or
-- promoted, and that is read from here and from `role_grants`.
ALTER TABLE users ADD COLUMN created_by TEXT REFERENCES users(id);

-- Every role a login was given, as a record: the first role at creation (from_role
-- NULL) and every change. A grant that needs a second person (the coordinator role;
-- any role that sees women when an admin proposes it) waits as 'pending' — the login
-- keeps its role until then — and ends 'confirmed' or 'withdrawn'. A grant made by one
-- person is 'confirmed' by the proposer herself at once.
CREATE TABLE role_grants (
    id TEXT PRIMARY KEY,
    target_id TEXT NOT NULL REFERENCES users(id),
    from_role TEXT,
    to_role TEXT NOT NULL,
    -- NULL: the operator.
    proposed_by TEXT REFERENCES users(id),
    proposer_role TEXT,
    proposed_at TEXT NOT NULL,
    status TEXT NOT NULL,
    confirmed_by TEXT REFERENCES users(id),
    confirmed_at TEXT,
    withdrawn_by TEXT REFERENCES users(id),
    withdrawn_at TEXT,
    -- 1: a new login created closed for this grant, opened when it is confirmed.
    opens_login BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX role_grants_target ON role_grants(target_id);
-- One question at a time per login: a second proposal waits for the first to end.
CREATE UNIQUE INDEX role_grants_one_pending ON role_grants(target_id) WHERE status = 'pending';
