-- The catalog's version (catalog_counts.version, migration 0009) is raised
-- by the database itself, in the transaction of every change to a table that
-- a kept page shows: books, authors, copies and their loans, genres,
-- languages, and users' names and roles. Servers keep rendered pages for as
-- long as it stays the same, so no code path (a librarian's edit, a loan, a
-- catalog load, plain SQL by an operator) can leave a page stale.
-- A new user shows on no page until they borrow (a change of a copy), so
-- only a change of a user's name, role or standing counts; adding users to
-- a new database (adduser before the first start) leaves it new.
-- Once per statement: a catalog load of a million rows raises it once.

CREATE FUNCTION raise_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_counts SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER book_raises_catalog_version
    AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON book
    FOR EACH STATEMENT EXECUTE FUNCTION raise_catalog_version();

CREATE TRIGGER author_raises_catalog_version
    AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON author
    FOR EACH STATEMENT EXECUTE FUNCTION raise_catalog_version();

CREATE TRIGGER book_instance_raises_catalog_version
    AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON book_instance
    FOR EACH STATEMENT EXECUTE FUNCTION raise_catalog_version();

CREATE TRIGGER genre_raises_catalog_version
    AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON genre
    FOR EACH STATEMENT EXECUTE FUNCTION raise_catalog_version();

CREATE TRIGGER book_genre_raises_catalog_version
    AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON book_genre
    FOR EACH STATEMENT EXECUTE FUNCTION raise_catalog_version();

CREATE TRIGGER language_raises_catalog_version
    AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON language
    FOR EACH STATEMENT EXECUTE FUNCTION raise_catalog_version();

CREATE TRIGGER account_raises_catalog_version
    AFTER UPDATE OF username, is_librarian, is_active ON account
    FOR EACH STATEMENT EXECUTE FUNCTION raise_catalog_version();
