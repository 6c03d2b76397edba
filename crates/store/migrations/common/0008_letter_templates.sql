-- An initiative's letter template per language (issue 4, G-5.6). One row per
-- initiative and language; the shipped templates are used until one is saved here.
-- `reviewed` is set by a coordinator once a qualified translator has checked the text.
CREATE TABLE letter_templates (
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    language TEXT NOT NULL,
    headline TEXT NOT NULL,
    body TEXT NOT NULL,
    offer TEXT NOT NULL,
    reviewed BIGINT NOT NULL DEFAULT 0,
    reviewed_by TEXT,
    reviewed_at TEXT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (initiative_id, language)
);
