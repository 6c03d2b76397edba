-- The letter batch and the contact cadence (issue 4, items 3 and 6; G-5.6, G-5.7).
--
-- The initiative's cadence: days from a letter to the first call, between unanswered
-- calls, from a letter to a second one, and the attempts before she is unreachable.
ALTER TABLE initiatives ADD COLUMN call_after_letter_days BIGINT NOT NULL DEFAULT 7;
ALTER TABLE initiatives ADD COLUMN call_again_days BIGINT NOT NULL DEFAULT 2;
ALTER TABLE initiatives ADD COLUMN second_letter_after_days BIGINT NOT NULL DEFAULT 21;
ALTER TABLE initiatives ADD COLUMN max_attempts BIGINT NOT NULL DEFAULT 3;
-- A woman exempt from Digital Post (fritaget) gets her letters on paper.
ALTER TABLE persons ADD COLUMN digital_post_exempt BIGINT NOT NULL DEFAULT 0;
-- A letter sent by Digital Post keeps its MeMo messageUUID, so it can be traced.
ALTER TABLE events ADD COLUMN message_uuid TEXT;
-- One batch: who sent it, to whom (the register run), what it counted, and the
-- coordinator's reason when she sent it despite the letter check's errors.
CREATE TABLE letter_batches (
    id TEXT PRIMARY KEY,
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    run_id TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_by_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    letters BIGINT NOT NULL,
    digital_post BIGINT NOT NULL,
    paper BIGINT NOT NULL,
    skipped TEXT NOT NULL,
    check_errors BIGINT NOT NULL,
    override_reason TEXT,
    print_files BIGINT NOT NULL
);
CREATE INDEX letter_batches_initiative ON letter_batches (initiative_id, created_at);
-- Each letter of a batch: which woman, how it went, its own file.
CREATE TABLE batch_letters (
    batch_id TEXT NOT NULL REFERENCES letter_batches(id),
    seq BIGINT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    delivery TEXT NOT NULL,
    language TEXT NOT NULL,
    message_uuid TEXT,
    event_id TEXT NOT NULL,
    PRIMARY KEY (batch_id, seq)
);
CREATE INDEX batch_letters_person ON batch_letters (person_id);
