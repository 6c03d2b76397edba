-- Register search (issue 3, items 3–7; G-5.1–G-5.5).
-- Selection rule sets: each save is a new version, never changed after (the plan names
-- one by checksum, and a run must use exactly that file).
CREATE TABLE selection_rules (
    id TEXT PRIMARY KEY,
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    toml TEXT NOT NULL,
    checksum TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (initiative_id, version)
);

-- The column mapping last used for each source kind, reused at the next upload.
CREATE TABLE column_mappings (
    kind TEXT PRIMARY KEY,
    mapping TEXT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users(id),
    updated_at TEXT NOT NULL
);

-- An uploaded extract. The file itself lives in the extract folder under `stored_name`
-- and is deleted when a run is accepted or on `delete_on`, whichever comes first;
-- `deleted_at` records that it is gone (the row stays: a run names its sources).
CREATE TABLE register_sources (
    id TEXT PRIMARY KEY,
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    stored_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    data_rows BIGINT NOT NULL,
    mapping TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users(id),
    uploaded_at TEXT NOT NULL,
    delete_on TEXT NOT NULL,
    deleted_at TEXT,
    deleted_by TEXT
);
CREATE INDEX register_sources_initiative ON register_sources (initiative_id, uploaded_at);

-- A run that was accepted: who, under which legal basis, which files and rules, and
-- the counts and overview (aggregates only, no person).
CREATE TABLE register_runs (
    id TEXT PRIMARY KEY,
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    plan_version BIGINT NOT NULL,
    legal_basis TEXT NOT NULL,
    rules_id TEXT NOT NULL REFERENCES selection_rules(id),
    rules_checksum TEXT NOT NULL,
    sources TEXT NOT NULL,
    counts TEXT NOT NULL,
    overview TEXT NOT NULL,
    run_by TEXT NOT NULL REFERENCES users(id),
    run_at TEXT NOT NULL
);
CREATE INDEX register_runs_initiative ON register_runs (initiative_id, run_at);

-- An uncertain link between a list row without CPR and a resident: the caseworker
-- compares the two and confirms or rejects. Only what the comparison and, on
-- confirmation, her record need is kept; both sides are cleared when decided.
CREATE TABLE link_reviews (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES register_runs(id),
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    list_kind TEXT NOT NULL,
    list_file TEXT NOT NULL,
    list_row BIGINT NOT NULL,
    probability DOUBLE PRECISION NOT NULL,
    list_name TEXT NOT NULL,
    list_birth_date TEXT,
    list_phone TEXT,
    candidate TEXT,
    status TEXT NOT NULL DEFAULT 'pending',
    decided_by TEXT,
    decided_at TEXT,
    person_id TEXT
);
CREATE INDEX link_reviews_pending ON link_reviews (initiative_id, status);
