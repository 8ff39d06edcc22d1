-- The home page's figures (catalog_counts, migration 0001) are kept by the
-- database itself, as its version is (0011): each insert or delete of a
-- book, author or copy, and each copy that becomes available or stops
-- being, moves them in the same transaction. No code path (a librarian's
-- edit, a loan, a catalog load, plain SQL by an operator) can leave them
-- wrong, and none has to remember them.
-- Once per statement, from its transition tables: a catalog load of a
-- million rows updates the counts row a few hundred times, not a million
-- (each update of a row leaves a version of it behind until the commit).

CREATE FUNCTION count_books_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_counts SET books = books + (SELECT count(*) FROM new_rows) WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE FUNCTION count_books_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_counts SET books = books - (SELECT count(*) FROM old_rows) WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER book_counted_insert AFTER INSERT ON book
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_books_inserted();
CREATE TRIGGER book_counted_delete AFTER DELETE ON book
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_books_deleted();

CREATE FUNCTION count_authors_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_counts SET authors = authors + (SELECT count(*) FROM new_rows) WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE FUNCTION count_authors_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_counts SET authors = authors - (SELECT count(*) FROM old_rows) WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER author_counted_insert AFTER INSERT ON author
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_authors_inserted();
CREATE TRIGGER author_counted_delete AFTER DELETE ON author
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_authors_deleted();

CREATE FUNCTION count_copies_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_counts SET
        copies = copies + (SELECT count(*) FROM new_rows),
        copies_available = copies_available
            + (SELECT count(*) FROM new_rows WHERE status = 'a')
    WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE FUNCTION count_copies_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_counts SET
        copies = copies - (SELECT count(*) FROM old_rows),
        copies_available = copies_available
            - (SELECT count(*) FROM old_rows WHERE status = 'a')
    WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE FUNCTION count_copies_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved bigint := (SELECT count(*) FROM new_rows WHERE status = 'a')
                  - (SELECT count(*) FROM old_rows WHERE status = 'a');
BEGIN
    IF moved <> 0 THEN
        UPDATE catalog_counts SET copies_available = copies_available + moved WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER book_instance_counted_insert AFTER INSERT ON book_instance
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_copies_inserted();
CREATE TRIGGER book_instance_counted_delete AFTER DELETE ON book_instance
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_copies_deleted();
CREATE TRIGGER book_instance_counted_update AFTER UPDATE ON book_instance
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_copies_updated();

-- TRUNCATE has no rows to count: it leaves none.
CREATE FUNCTION count_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    CASE TG_TABLE_NAME
        WHEN 'book' THEN UPDATE catalog_counts SET books = 0 WHERE id = 1;
        WHEN 'author' THEN UPDATE catalog_counts SET authors = 0 WHERE id = 1;
        ELSE UPDATE catalog_counts SET copies = 0, copies_available = 0 WHERE id = 1;
    END CASE;
    RETURN NULL;
END
$$;
CREATE TRIGGER book_counted_truncate AFTER TRUNCATE ON book
    FOR EACH STATEMENT EXECUTE FUNCTION count_truncated();
CREATE TRIGGER author_counted_truncate AFTER TRUNCATE ON author
    FOR EACH STATEMENT EXECUTE FUNCTION count_truncated();
CREATE TRIGGER book_instance_counted_truncate AFTER TRUNCATE ON book_instance
    FOR EACH STATEMENT EXECUTE FUNCTION count_truncated();

-- From here on the triggers keep them; they start from the truth.
UPDATE catalog_counts SET
    books            = (SELECT COUNT(*) FROM book),
    copies           = (SELECT COUNT(*) FROM book_instance),
    copies_available = (SELECT COUNT(*) FROM book_instance WHERE status = 'a'),
    authors          = (SELECT COUNT(*) FROM author);
