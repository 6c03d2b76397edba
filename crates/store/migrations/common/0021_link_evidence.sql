-- Issue 12, item 6: a link sent for review keeps why it was made and why it is not
-- certain (how each field agreed, the doubts: register::select::LinkWhy), so the
-- review page can show it. Codes only, never the values compared.
ALTER TABLE link_reviews ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
