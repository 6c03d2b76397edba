-- Partners (issue 5, G-7). One text for both backends:
-- ids are UUID text, times fixed-width UTC text, dates YYYY-MM-DD text, flags and
-- numbers BIGINT, lists one per line.

-- The partner register (G-7.1–G-7.4). Organisations made before this migration (by
-- `create_partner_org`) become active associations until the coordinator says more.
ALTER TABLE partner_orgs ADD COLUMN kind TEXT NOT NULL DEFAULT 'association';
ALTER TABLE partner_orgs ADD COLUMN area_id TEXT REFERENCES areas(id);
ALTER TABLE partner_orgs ADD COLUMN contact_persons TEXT NOT NULL DEFAULT '';
ALTER TABLE partner_orgs ADD COLUMN active BIGINT NOT NULL DEFAULT 1;

-- The agreement (G-7.5): every part is written together, so either all of these are
-- set or none (no agreement yet).
ALTER TABLE partner_orgs ADD COLUMN guidelines TEXT;
ALTER TABLE partner_orgs ADD COLUMN core_task_benefit TEXT;
ALTER TABLE partner_orgs ADD COLUMN agreement_ethics TEXT;
ALTER TABLE partner_orgs ADD COLUMN confidentiality TEXT;
ALTER TABLE partner_orgs ADD COLUMN review_on TEXT;
ALTER TABLE partner_orgs ADD COLUMN agreement_updated_at TEXT;

-- One-time referral links. Only the SHA-256 of the token is kept: a copy of the
-- database cannot be used to refer. Used up by the referral that names her.
CREATE TABLE referral_links (
    token_hash TEXT PRIMARY KEY,
    partner_org_id TEXT NOT NULL REFERENCES partner_orgs(id),
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    person_id TEXT REFERENCES persons(id) ON DELETE SET NULL
);
CREATE INDEX referral_links_partner ON referral_links(partner_org_id, created_at);
-- Deleting a person looks her links up.
CREATE INDEX referral_links_person ON referral_links(person_id);

-- Follow-up meetings with a partner: the guide's four questions (G-7.6), with the
-- count kept as a number so the partner's yield over time can be seen.
CREATE TABLE partner_follow_ups (
    id TEXT PRIMARY KEY,
    partner_org_id TEXT NOT NULL REFERENCES partner_orgs(id),
    held_on TEXT NOT NULL,
    women_talked_to BIGINT NOT NULL CHECK (women_talked_to >= 0),
    talked_to_note TEXT NOT NULL DEFAULT '',
    presentation_note TEXT NOT NULL DEFAULT '',
    how_often_note TEXT NOT NULL DEFAULT '',
    support_note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX partner_follow_ups_partner ON partner_follow_ups(partner_org_id, held_on, recorded_at);

-- How she prefers to be contacted, as she told the referring partner.
ALTER TABLE persons ADD COLUMN contact_preference TEXT;

-- A consent given through a partner's referral names that partner: her consent that
-- "the partner" may see her status is for the partner that asked her, not for every
-- partner that may refer her later. NULL for consents recorded otherwise.
ALTER TABLE consents ADD COLUMN partner_org_id TEXT REFERENCES partner_orgs(id);
-- Her consents (her page, the status a partner may see); there was no index.
CREATE INDEX consents_person ON consents(person_id, purpose);
