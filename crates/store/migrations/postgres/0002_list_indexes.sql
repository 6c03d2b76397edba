-- Indexes for the people list's filters within a caseworker's team, and for the
-- women a team-less caseworker or ambassador is contact person for.
CREATE INDEX persons_team_language ON persons(team_id, first_language);
CREATE INDEX persons_team_area ON persons(team_id, area_id);
CREATE INDEX persons_contact ON persons(contact_user_id);
