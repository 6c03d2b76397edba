-- Her letter language, when it was only inferred from her country of origin (a register
-- run knows no language), is marked until someone who has spoken with her saves her
-- record (issue 4, item 1).
ALTER TABLE persons ADD COLUMN languages_inferred BIGINT NOT NULL DEFAULT 0;
