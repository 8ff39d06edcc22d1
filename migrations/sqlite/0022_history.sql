-- What was changed, by whom, when: every change a librarian makes on the
-- site or an operator makes by a command (created, updated with each
-- field's value before and after, deleted, lent, returned, renewed), one
-- row each, written in the transaction that makes the change. Rows are
-- never changed or deleted by the site; they outlive their records (no
-- foreign key to them; the record's name as it was is kept).
CREATE TABLE history (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,              -- Unix milliseconds
    actor_id  INTEGER REFERENCES account (id), -- NULL: an operator's command
    actor     TEXT NOT NULL,                 -- the username then, or the command
    action    TEXT NOT NULL
              CHECK (action IN ('create', 'update', 'delete', 'lend', 'return', 'renew')),
    kind      TEXT NOT NULL
              CHECK (kind IN ('book', 'copy', 'author', 'genre', 'language', 'member')),
    record_id TEXT NOT NULL,
    label     TEXT NOT NULL,                 -- the record's name when changed
    -- A copy's book, so a book's history shows its copies' too.
    book_id   INTEGER,
    -- JSON: [[field, before, after], …]; a value absent is null.
    changes   TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX history_of_record ON history (kind, record_id, id);
CREATE INDEX history_of_book ON history (book_id, id) WHERE book_id IS NOT NULL;
