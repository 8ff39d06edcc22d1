-- A number each catalog load raises, in the transaction that loads it: the
-- server keeps rendered catalog pages for as long as it stays the same, and
-- any server sharing the file sees a load on its next page.
ALTER TABLE catalog_counts ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
