-- Issue 13, item 11: every event form carries a key of its own; an event is recorded
-- once per key, so a retry after a lost answer (or a double click) records nothing twice.
CREATE TABLE event_submissions (
    submission_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL
);
