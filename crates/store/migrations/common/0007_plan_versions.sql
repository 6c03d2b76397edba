-- The versions of an initiative's plan (issue 3, G-4, G-5.3): the guide's planning
-- answers, the legal basis for register processing, the DPIA, and the second
-- coordinator's approval. The same text on both backends.
--
-- One column per field of `domain::plan::Plan`: methods as their codes joined by
-- commas (in `Method::ALL` order, as the plan keeps them), area ids joined by commas,
-- register extracts one per line; dates as YYYY-MM-DD, times as fixed-width UTC text.
-- The four legal-basis columns are all NULL while no basis is recorded, the two DPIA
-- columns all NULL when there is none, the three approval columns all NULL until the
-- version is approved; the CHECKs keep each group whole.
--
-- Append-only, with one exception: an unapproved version may be approved once. The
-- rule is kept in code (`sql/plans.rs`: no statement deletes a version or updates
-- one, except the approval's `UPDATE … WHERE approved_by IS NULL`), not by a trigger
-- as `audit_log` is, because (1) this file is one text for both backends, and a
-- trigger is written differently on each (SQLite's trigger body, PostgreSQL's
-- PL/pgSQL function); (2) the rule is not "no update" but "the approval columns, once,
-- from NULL; no other column, ever", which a trigger would have to restate column by
-- column in both dialects and keep in step with every column added later; and (3) the
-- store is the only writer (`web` never runs SQL), and its single UPDATE states the
-- condition itself, so a second approval changes nothing and is refused as a
-- conflict. Who approved, and every save, is also in the audit log, written in the
-- same transaction. No cascade from `initiatives`: an initiative with a plan on
-- record cannot be deleted away from under it.
CREATE TABLE plan_versions (
    initiative_id TEXT NOT NULL REFERENCES initiatives(id),
    version BIGINT NOT NULL,
    target_group TEXT NOT NULL,
    segments TEXT NOT NULL,
    challenges TEXT NOT NULL,
    why TEXT NOT NULL,
    how TEXT NOT NULL,
    methods TEXT NOT NULL,
    methods_why TEXT NOT NULL,
    ethics_frame TEXT NOT NULL,
    resources TEXT NOT NULL,
    programme_seats BIGINT NOT NULL,
    capacity_note TEXT NOT NULL,
    legal_frame TEXT NOT NULL,
    area_ids TEXT NOT NULL,
    sources TEXT NOT NULL,
    rules_ref TEXT NOT NULL,
    legal_basis_text TEXT,
    legal_basis_reference TEXT,
    legal_basis_recorded_by TEXT,
    legal_basis_recorded_on TEXT,
    dpia_reference TEXT,
    dpia_date TEXT,
    review_on TEXT NOT NULL,
    author TEXT NOT NULL,
    written_at TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    approval_note TEXT,
    PRIMARY KEY (initiative_id, version),
    CONSTRAINT plan_versions_version_positive CHECK (version >= 1),
    CONSTRAINT plan_versions_legal_basis_whole CHECK (
        (legal_basis_text IS NULL) = (legal_basis_reference IS NULL)
        AND (legal_basis_text IS NULL) = (legal_basis_recorded_by IS NULL)
        AND (legal_basis_text IS NULL) = (legal_basis_recorded_on IS NULL)
    ),
    CONSTRAINT plan_versions_dpia_whole CHECK ((dpia_reference IS NULL) = (dpia_date IS NULL)),
    CONSTRAINT plan_versions_approval_whole CHECK (
        (approved_by IS NULL) = (approved_at IS NULL)
        AND (approved_by IS NULL) = (approval_note IS NULL)
    )
);
