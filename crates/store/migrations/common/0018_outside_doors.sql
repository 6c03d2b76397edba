-- Issue 13, item 2: a door opened from outside (the open door, a partner's referral,
-- an ambassador's street registration) never acts on a woman Opsøg already knows. It
-- makes a new intake; one that resembles a known woman (same phone, same first name),
-- or her own renewed request while she is on the do-not-contact list, waits here for a
-- coordinator. The matching and merging itself is the person-matching issue's.
CREATE TABLE possible_matches (
    id TEXT PRIMARY KEY,
    intake_person_id TEXT NOT NULL REFERENCES persons(id),
    -- None for a renewed request whose earlier record is gone (only her hash remains).
    known_person_id TEXT REFERENCES persons(id),
    door TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT REFERENCES users(id),
    resolution_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX possible_matches_open ON possible_matches(resolved_at, created_at);

-- Issue 13, item 9: answer codes are stored as a keyed hash (HMAC-SHA256 under a key
-- outside the database, `domain::response::keyed_code_hash`), marked 'hmac:'. Older
-- rows hold the plain SHA-256; `opsog serve` and `opsog migrate` re-key them at start
-- (the keyed hash is taken over the plain one, so no code needs to be known), and
-- until then they are still found by their plain hash.
CREATE INDEX response_codes_issued ON response_codes(issued_at);
