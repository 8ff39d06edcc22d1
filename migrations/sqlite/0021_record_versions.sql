-- Each record a librarian edits has a version, which the database raises
-- on every change of the record, however made (the site, a load, plain
-- SQL). An edit form carries the version it was opened at, and a save is
-- made only while the record is still at it: a change made meanwhile by
-- someone else is never silently overwritten (the save is refused, with
-- the record as it now is).
--
-- SQLite cannot change NEW in a trigger: the trigger raises the column
-- after the update, unless the update set it itself (the trigger's own
-- update, of the version alone, does not fire it again).
ALTER TABLE author ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE book ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE book_instance ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE genre ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE language ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Only the record's own columns: its place in a list (renumbered when
-- another record is added) is not part of it.
CREATE TRIGGER author_versioned
    AFTER UPDATE OF first_name, last_name, date_of_birth, date_of_death ON author
    WHEN NEW.version = OLD.version
BEGIN
    UPDATE author SET version = OLD.version + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER book_versioned
    AFTER UPDATE OF title, author_id, summary, isbn, language_id ON book
    WHEN NEW.version = OLD.version
BEGIN
    UPDATE book SET version = OLD.version + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER book_instance_versioned
    AFTER UPDATE OF book_id, imprint, due_back, status, borrower_id ON book_instance
    WHEN NEW.version = OLD.version
BEGIN
    UPDATE book_instance SET version = OLD.version + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER genre_versioned AFTER UPDATE ON genre WHEN NEW.version = OLD.version
BEGIN
    UPDATE genre SET version = OLD.version + 1 WHERE id = NEW.id;
END;
CREATE TRIGGER language_versioned AFTER UPDATE ON language WHEN NEW.version = OLD.version
BEGIN
    UPDATE language SET version = OLD.version + 1 WHERE id = NEW.id;
END;
