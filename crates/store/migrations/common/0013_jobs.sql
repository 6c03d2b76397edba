-- Long work as jobs recorded in the database (issue 11, item 7): a letter batch or a
-- register run. While a job runs, running_key holds '<initiative>:<kind>'; the unique
-- index lets only one run per initiative and kind, across processes. A finished job
-- sets it to NULL (many NULLs are allowed on both backends). heartbeat_at moves with
-- the progress, so a job whose process died can be told from one that works.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    initiative_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    running_key TEXT,
    started_by TEXT,
    started_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    finished_at TEXT,
    done BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    outcome TEXT,
    -- Why it failed, as a message code the page explains (never personal data).
    error_code TEXT,
    result_id TEXT
);
CREATE UNIQUE INDEX jobs_running ON jobs (running_key);
CREATE INDEX jobs_initiative ON jobs (initiative_id, kind, started_at);
-- Scheduled work (the daily contact job, the extract sweep): the day each last ran,
-- so a restart on the same day does not run it again.
CREATE TABLE scheduled_runs (
    name TEXT PRIMARY KEY,
    last_run_on TEXT NOT NULL
);
