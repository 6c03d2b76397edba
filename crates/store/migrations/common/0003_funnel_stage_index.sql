-- The people list shows each woman's stage in the chosen initiative: with the stage in
-- the index, that is one index lookup per row instead of an index and a table lookup.
CREATE INDEX funnels_person_stage ON funnels(person_id, initiative_id, stage);
