-- Each lending of a copy is a record of its own, kept after the copy comes
-- back: who had which book, from when, due when, renewed how often, and
-- when it ended. A member's past loans, a copy's or a book's lending
-- history and later features (holds, statistics) read it; the copy's
-- current borrower and due date stay on the copy (`book_instance`), one
-- lookup for every page that shows them.
--
-- The database writes these records itself, from the copy's changes, as it
-- keeps the catalog's counts (0018): a lend from the site, from the command
-- line or by plain SQL is recorded the same, and none can forget to.
-- Records outlive the copy and the book (no foreign key to either; the
-- title is kept as it was when lent), and an account with loans cannot be
-- deleted (foreign key): members' records are never lost.
CREATE TABLE loan (
    id          INTEGER PRIMARY KEY,
    copy_id     TEXT NOT NULL,
    book_id     INTEGER,
    title       TEXT NOT NULL,
    borrower_id INTEGER NOT NULL REFERENCES account (id),
    lent_on     TEXT,             -- YYYY-MM-DD (UTC); NULL: lent before loans were recorded
    due_back    TEXT,             -- YYYY-MM-DD, as last set (lent or renewed)
    renewals    INTEGER NOT NULL DEFAULT 0,
    ended_on    TEXT,             -- YYYY-MM-DD; NULL while the copy is out
    ending      TEXT CHECK (ending IN ('returned', 'copy removed')),
    CHECK ((ended_on IS NULL) = (ending IS NULL))
);
-- A copy is out to one member at a time.
CREATE UNIQUE INDEX loan_open_by_copy ON loan (copy_id) WHERE ended_on IS NULL;
CREATE INDEX loan_by_borrower ON loan (borrower_id, id);
CREATE INDEX loan_by_book ON loan (book_id, id);

-- Lent, returned, or (by plain SQL) passed from one member to another: the
-- open record ends, and a new one begins.
CREATE TRIGGER loan_recorded_on_lending AFTER UPDATE OF borrower_id ON book_instance
    WHEN OLD.borrower_id IS NOT NEW.borrower_id
BEGIN
    UPDATE loan SET ended_on = date('now'), ending = 'returned'
    WHERE copy_id = OLD.id AND ended_on IS NULL;
    INSERT INTO loan (copy_id, book_id, title, borrower_id, lent_on, due_back)
    SELECT NEW.id, NEW.book_id, (SELECT title FROM book WHERE id = NEW.book_id),
           NEW.borrower_id, date('now'), NEW.due_back
    WHERE NEW.borrower_id IS NOT NULL;
END;

-- A new due date for the same borrower: a renewal.
CREATE TRIGGER loan_recorded_on_renewal AFTER UPDATE OF due_back ON book_instance
    WHEN NEW.borrower_id IS NOT NULL AND NEW.borrower_id IS OLD.borrower_id
         AND NEW.due_back IS NOT OLD.due_back
BEGIN
    UPDATE loan SET due_back = NEW.due_back, renewals = renewals + 1
    WHERE copy_id = NEW.id AND ended_on IS NULL;
END;

CREATE TRIGGER loan_recorded_on_new_copy AFTER INSERT ON book_instance
    WHEN NEW.borrower_id IS NOT NULL
BEGIN
    INSERT INTO loan (copy_id, book_id, title, borrower_id, lent_on, due_back)
    VALUES (NEW.id, NEW.book_id, (SELECT title FROM book WHERE id = NEW.book_id),
            NEW.borrower_id, date('now'), NEW.due_back);
END;

-- A copy removed while out (only `load-catalog --replace --force`, which
-- writes a backup first): the record ends, and says how.
CREATE TRIGGER loan_recorded_on_removal AFTER DELETE ON book_instance
    WHEN OLD.borrower_id IS NOT NULL
BEGIN
    UPDATE loan SET ended_on = date('now'), ending = 'copy removed'
    WHERE copy_id = OLD.id AND ended_on IS NULL;
END;

-- The loans already out, from when records begin.
INSERT INTO loan (copy_id, book_id, title, borrower_id, lent_on, due_back)
SELECT copy.id, copy.book_id, book.title, copy.borrower_id, NULL, copy.due_back
FROM book_instance copy JOIN book ON book.id = copy.book_id
WHERE copy.borrower_id IS NOT NULL;
