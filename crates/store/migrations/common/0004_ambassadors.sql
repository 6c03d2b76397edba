-- Ambassadors (issue 5, G-6). One text for both backends:
-- ids are UUID text, times fixed-width UTC text, dates YYYY-MM-DD text, flags and
-- numbers BIGINT, lists comma-joined text.

-- The initiative plan's ethics frame (G-4.6, G-6.3, G-6.7). The version counts the
-- changes of the text; an ambassador accepts one version, and a changed text must be
-- read and accepted again. 0 means the plan has no frame yet.
ALTER TABLE initiatives ADD COLUMN ethics_frame TEXT NOT NULL DEFAULT '';
ALTER TABLE initiatives ADD COLUMN ethics_version BIGINT NOT NULL DEFAULT 0;

-- Who she is (G-6.4–G-6.6) and her records (G-6.7, G-6.8). The ethics acceptance is
-- written only when she accepts, never by the profile form.
CREATE TABLE ambassador_profiles (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    employment TEXT NOT NULL,
    languages TEXT NOT NULL DEFAULT '',
    area_ids TEXT NOT NULL DEFAULT '',
    expected_hours_per_week BIGINT,
    background TEXT NOT NULL,
    job_experience TEXT NOT NULL DEFAULT '',
    relational_skills TEXT NOT NULL DEFAULT '',
    availability TEXT NOT NULL DEFAULT '',
    local_position TEXT NOT NULL DEFAULT '',
    training_done TEXT NOT NULL DEFAULT '',
    confidentiality_signed_on TEXT,
    ethics_initiative_id TEXT REFERENCES initiatives(id),
    ethics_version BIGINT,
    ethics_accepted_on TEXT,
    updated_at TEXT NOT NULL
);

-- Street conversations: anonymous counts only (G-6). No column may ever hold a name,
-- a phone number or a reference to a person.
CREATE TABLE street_conversations (
    id TEXT PRIMARY KEY,
    ambassador_user_id TEXT NOT NULL REFERENCES users(id),
    conversation_date TEXT NOT NULL,
    area_id TEXT NOT NULL REFERENCES areas(id),
    place TEXT NOT NULL,
    language TEXT NOT NULL,
    outcome TEXT NOT NULL,
    count BIGINT NOT NULL CHECK (count >= 1),
    recorded_at TEXT NOT NULL
);
-- Her own log, newest first; and everyone's, newest first.
CREATE INDEX street_conversations_ambassador ON street_conversations(ambassador_user_id, conversation_date, recorded_at);
CREATE INDEX street_conversations_date ON street_conversations(conversation_date, recorded_at);

-- Follow-up meetings with the ambassador (G-6.8).
CREATE TABLE ambassador_follow_ups (
    id TEXT PRIMARY KEY,
    ambassador_user_id TEXT NOT NULL REFERENCES users(id),
    held_on TEXT NOT NULL,
    topics TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    agreed_actions TEXT NOT NULL DEFAULT '',
    minutes_worked BIGINT NOT NULL DEFAULT 0,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX ambassador_follow_ups_ambassador ON ambassador_follow_ups(ambassador_user_id, held_on, recorded_at);
CREATE INDEX ambassador_follow_ups_held ON ambassador_follow_ups(held_on, recorded_at);

-- When she would like to be called (G-8.6), as she told the ambassador.
ALTER TABLE persons ADD COLUMN best_time_to_call TEXT;

-- The ambassadors list (by name) and the registration's notifications (a team's
-- caseworkers, else the coordinators).
CREATE INDEX users_role ON users(role, display_name);
CREATE INDEX users_team_role ON users(team_id, role);
