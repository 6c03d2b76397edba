-- Response codes (issue 4, item 4): each letter's code, by its SHA-256 only. A code
-- answers its letter once (`used_at`) and not after `expires_at`.
CREATE TABLE response_codes (
    code_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons(id),
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    answer TEXT
);
CREATE INDEX response_codes_person ON response_codes (person_id);
