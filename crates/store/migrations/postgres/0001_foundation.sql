-- Opsøg foundation schema (PostgreSQL). Kept column-for-column equal to the PostgreSQL
-- file: ids are UUID text, times are fixed-width UTC text, flags are 0/1 integers,
-- so that one set of queries serves both backends.
CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE areas (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    postcodes TEXT NOT NULL DEFAULT ''
);
CREATE TABLE partner_orgs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    team_id TEXT REFERENCES teams(id),
    partner_org_id TEXT REFERENCES partner_orgs(id),
    password_hash TEXT NOT NULL,
    languages TEXT NOT NULL DEFAULT '',
    direct_phone TEXT,
    locale TEXT NOT NULL DEFAULT 'da',
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX sessions_last_seen ON sessions(last_seen_at);
CREATE TABLE initiatives (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    target_group TEXT NOT NULL DEFAULT '',
    methods TEXT NOT NULL DEFAULT '',
    capacity BIGINT,
    cool_off_days BIGINT NOT NULL DEFAULT 90,
    created_at TEXT NOT NULL
);
CREATE TABLE initiative_areas (
    initiative_id TEXT NOT NULL REFERENCES initiatives(id) ON DELETE CASCADE,
    area_id TEXT NOT NULL REFERENCES areas(id),
    PRIMARY KEY (initiative_id, area_id)
);
CREATE TABLE persons (
    id TEXT PRIMARY KEY,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    birth_date TEXT,
    cpr TEXT UNIQUE,
    phone TEXT,
    phone_is_hers_alone BIGINT NOT NULL DEFAULT 0,
    street TEXT,
    postcode TEXT,
    city TEXT,
    area_id TEXT REFERENCES areas(id),
    languages TEXT NOT NULL DEFAULT '[]',
    first_language TEXT,
    country_of_origin TEXT,
    arrived_in_denmark TEXT,
    education TEXT NOT NULL DEFAULT 'unknown',
    work_experience TEXT NOT NULL DEFAULT 'unknown',
    network TEXT NOT NULL DEFAULT 'unknown',
    danish_level TEXT NOT NULL DEFAULT 'unknown',
    motivation_note TEXT,
    motivation TEXT NOT NULL DEFAULT '',
    safe_contact_only BIGINT NOT NULL DEFAULT 0,
    safety_note TEXT,
    interpreter_needed BIGINT NOT NULL DEFAULT 0,
    team_id TEXT REFERENCES teams(id),
    contact_user_id TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX persons_name ON persons(family_name, given_name, id);
CREATE INDEX persons_team ON persons(team_id, family_name, given_name, id);
CREATE INDEX persons_phone ON persons(phone);
CREATE INDEX persons_area ON persons(area_id);
CREATE INDEX persons_language ON persons(first_language);
CREATE TABLE person_sources (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    reference_id TEXT,
    label TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX person_sources_person ON person_sources(person_id);
CREATE INDEX person_sources_ref ON person_sources(kind, reference_id);
CREATE TABLE funnels (
    person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    stage TEXT NOT NULL,
    paused_from TEXT,
    not_now_at TEXT,
    declined_earlier BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    event_count BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (person_id, initiative_id)
);
CREATE INDEX funnels_initiative_stage ON funnels(initiative_id, stage);
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    recorded_by TEXT REFERENCES users(id),
    recorded_by_name TEXT NOT NULL,
    language TEXT,
    interpreter_used BIGINT NOT NULL DEFAULT 0,
    new_contact_data BIGINT NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    voided_at TEXT,
    voided_by TEXT,
    void_reason TEXT,
    UNIQUE (person_id, initiative_id, seq)
);
CREATE INDEX events_person ON events(person_id, occurred_at);
CREATE TABLE contact_assignments (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id),
    from_at TEXT NOT NULL,
    until_at TEXT,
    assigned_by TEXT NOT NULL
);
CREATE INDEX contact_assignments_person ON contact_assignments(person_id);
CREATE TABLE consents (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    text_version TEXT NOT NULL,
    language TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    withdrawn_at TEXT
);
-- No reference to persons: the list must survive deletion of her record.
CREATE TABLE do_not_contact (
    identity_hash TEXT PRIMARY KEY,
    added_at TEXT NOT NULL
);
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    message TEXT NOT NULL,
    person_id TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications(user_id, read_at);
-- Append-only. No references: entries outlive users and persons.
CREATE TABLE audit_log (
    seq BIGSERIAL PRIMARY KEY,
    -- Made by the writer, so that a batch of entries and their persons can be written
    -- in two statements instead of two per entry.
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    user_id TEXT,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    origin TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_user ON audit_log(user_id, seq);
-- Keyed by the entry first, and entry ids are time-ordered (UUIDv7): every list view
-- names 25 persons, and a key that starts with the person scattered those inserts
-- over the whole table (a page written per row, measured). "Who looked her up" is
-- the rare query and may scan.
CREATE TABLE audit_persons (
    audit_id TEXT NOT NULL,
    person_id TEXT NOT NULL,
    PRIMARY KEY (audit_id, person_id)
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
