-- The people list is ordered by name and filtered within a caseworker's team (or,
-- for a coordinator, across all); each index ends in the sort columns so that a page
-- is read in order from the index instead of sorting every match.
DROP INDEX persons_language;
DROP INDEX persons_area;
CREATE INDEX persons_language ON persons(first_language, family_name, given_name, id);
CREATE INDEX persons_area ON persons(area_id, family_name, given_name, id);
CREATE INDEX persons_team_language ON persons(team_id, first_language, family_name, given_name, id);
CREATE INDEX persons_team_area ON persons(team_id, area_id, family_name, given_name, id);
CREATE INDEX persons_contact ON persons(contact_user_id, family_name, given_name, id);
