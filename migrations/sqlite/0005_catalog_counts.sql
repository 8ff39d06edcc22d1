-- The home page's figures. The catalog changes only when a catalog is
-- loaded, and the load recounts these in the same transaction, so a page
-- view reads one row instead of counting every book and copy.
CREATE TABLE catalog_counts (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    books            INTEGER NOT NULL,
    copies           INTEGER NOT NULL,
    copies_available INTEGER NOT NULL,
    authors          INTEGER NOT NULL
);
INSERT INTO catalog_counts (id, books, copies, copies_available, authors) VALUES (1, 0, 0, 0, 0);
-- Kept in step by the catalog load (server/src/catalog/import.rs).
UPDATE catalog_counts SET
    books            = (SELECT COUNT(*) FROM book),
    copies           = (SELECT COUNT(*) FROM book_instance),
    copies_available = (SELECT COUNT(*) FROM book_instance WHERE status = 'a'),
    authors          = (SELECT COUNT(*) FROM author);
