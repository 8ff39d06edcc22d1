-- A number each catalog load raises, in the transaction that loads it: the
-- servers keep rendered catalog pages for as long as it stays the same, and
-- every server sees a load on its next page.
ALTER TABLE catalog_counts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
