-- Issue 13, items 4 and 6: a login in stages. After the password a session may still
-- wait for her app's code, her own new password, or setting up a second factor
-- (domain::login::LoginStage); until then it opens no page but that step's.
ALTER TABLE sessions ADD COLUMN stage TEXT;

-- An admin's password reset: she must choose her own at her next login.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
-- Her TOTP secret (RFC 6238, base32) and the last time step a code of hers was taken:
-- a code is spent once used, so a later login must give a code of a later step.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

-- Recovery codes: only a hash of each (80 random bits, so SHA-256 is enough), and
-- when it was used; a used code never works again.
CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT,
    PRIMARY KEY (user_id, code_hash)
);
