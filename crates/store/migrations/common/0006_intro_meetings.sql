-- Intro meetings an initiative plans (issue 5: "upcoming intro meetings she can invite
-- them to"); the same on both backends. Time of day as HH:MM text, languages as ISO
-- 639 codes separated by commas.
CREATE TABLE intro_meetings (
    id TEXT PRIMARY KEY,
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    meeting_date TEXT NOT NULL,
    meeting_time TEXT NOT NULL,
    place TEXT NOT NULL,
    area_id TEXT REFERENCES areas(id),
    languages TEXT NOT NULL,
    spouse_welcome BIGINT NOT NULL DEFAULT 0,
    capacity BIGINT,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX intro_meetings_when ON intro_meetings(initiative_id, meeting_date, meeting_time);
