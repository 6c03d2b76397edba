-- Issue 12, item 4: the date an extract describes (its reference date), recorded at
-- import from the coordinator's --as-of, the file's title row or its own dates; a run
-- computes ages and windows from it, not from the day it runs. Empty for extracts
-- imported before: a run refuses to use such an extract without a date.
ALTER TABLE register_sources ADD COLUMN reference_date TEXT;
-- How each coded column was read at import (JSON), shown by the dry run before anyone
-- is created (issue 12, item 1).
ALTER TABLE register_sources ADD COLUMN readings TEXT NOT NULL DEFAULT '[]';
