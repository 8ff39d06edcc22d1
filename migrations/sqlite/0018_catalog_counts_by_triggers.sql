-- The home page's figures (catalog_counts, migration 0005) are kept by the
-- database itself, as its version is (0017): each insert or delete of a
-- book, author or copy, and each copy that becomes available or stops
-- being, moves them in the same transaction. No code path (a librarian's
-- edit, a loan, a catalog load, plain SQL by an operator) can leave them
-- wrong, and none has to remember them.

CREATE TRIGGER book_counted_insert AFTER INSERT ON book BEGIN
    UPDATE catalog_counts SET books = books + 1 WHERE id = 1;
END;
CREATE TRIGGER book_counted_delete AFTER DELETE ON book BEGIN
    UPDATE catalog_counts SET books = books - 1 WHERE id = 1;
END;

CREATE TRIGGER author_counted_insert AFTER INSERT ON author BEGIN
    UPDATE catalog_counts SET authors = authors + 1 WHERE id = 1;
END;
CREATE TRIGGER author_counted_delete AFTER DELETE ON author BEGIN
    UPDATE catalog_counts SET authors = authors - 1 WHERE id = 1;
END;

CREATE TRIGGER book_instance_counted_insert AFTER INSERT ON book_instance BEGIN
    UPDATE catalog_counts SET copies = copies + 1,
        copies_available = copies_available + (NEW.status = 'a')
    WHERE id = 1;
END;
CREATE TRIGGER book_instance_counted_delete AFTER DELETE ON book_instance BEGIN
    UPDATE catalog_counts SET copies = copies - 1,
        copies_available = copies_available - (OLD.status = 'a')
    WHERE id = 1;
END;
CREATE TRIGGER book_instance_counted_update AFTER UPDATE OF status ON book_instance
    WHEN (OLD.status = 'a') <> (NEW.status = 'a')
BEGIN
    UPDATE catalog_counts
        SET copies_available = copies_available + (NEW.status = 'a') - (OLD.status = 'a')
    WHERE id = 1;
END;

-- From here on the triggers keep them; they start from the truth.
UPDATE catalog_counts SET
    books            = (SELECT COUNT(*) FROM book),
    copies           = (SELECT COUNT(*) FROM book_instance),
    copies_available = (SELECT COUNT(*) FROM book_instance WHERE status = 'a'),
    authors          = (SELECT COUNT(*) FROM author);
