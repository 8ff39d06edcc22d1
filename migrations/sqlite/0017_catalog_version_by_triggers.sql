-- The catalog's version (catalog_counts.version, migration 0009) is raised
-- by the database itself, in the transaction of every change to a table that
-- a kept page shows: books, authors, copies and their loans, genres,
-- languages, and users' names and roles. Servers keep rendered pages for as
-- long as it stays the same, so no code path (a librarian's edit, a loan, a
-- catalog load, plain SQL by an operator) can leave a page stale.
-- A new user shows on no page until they borrow (a change of a copy), so
-- only a change of a user's name, role or standing counts; adding users to
-- a new database (adduser before the first start) leaves it new.
-- SQLite has no statement-level triggers: each row raises it.

CREATE TRIGGER book_raises_catalog_version_insert AFTER INSERT ON book BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER book_raises_catalog_version_delete AFTER DELETE ON book BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER book_raises_catalog_version_update AFTER UPDATE ON book BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER author_raises_catalog_version_insert AFTER INSERT ON author BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER author_raises_catalog_version_delete AFTER DELETE ON author BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER author_raises_catalog_version_update AFTER UPDATE ON author BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER book_instance_raises_catalog_version_insert AFTER INSERT ON book_instance BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER book_instance_raises_catalog_version_delete AFTER DELETE ON book_instance BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER book_instance_raises_catalog_version_update AFTER UPDATE ON book_instance BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER genre_raises_catalog_version_insert AFTER INSERT ON genre BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER genre_raises_catalog_version_delete AFTER DELETE ON genre BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER genre_raises_catalog_version_update AFTER UPDATE ON genre BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER book_genre_raises_catalog_version_insert AFTER INSERT ON book_genre BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER book_genre_raises_catalog_version_delete AFTER DELETE ON book_genre BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER book_genre_raises_catalog_version_update AFTER UPDATE ON book_genre BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER language_raises_catalog_version_insert AFTER INSERT ON language BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER language_raises_catalog_version_delete AFTER DELETE ON language BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
CREATE TRIGGER language_raises_catalog_version_update AFTER UPDATE ON language BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;

CREATE TRIGGER account_raises_catalog_version_update AFTER UPDATE OF username, is_librarian, is_active ON account BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
END;
