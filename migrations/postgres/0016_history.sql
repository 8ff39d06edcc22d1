-- What was changed, by whom, when (see migrations/sqlite/0022_history.sql).
CREATE TABLE history (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor_id  BIGINT REFERENCES account (id),
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL
              CHECK (action IN ('create', 'update', 'delete', 'lend', 'return', 'renew')),
    kind      TEXT NOT NULL
              CHECK (kind IN ('book', 'copy', 'author', 'genre', 'language', 'member')),
    record_id TEXT NOT NULL,
    label     TEXT NOT NULL,
    book_id   BIGINT,
    changes   TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX history_of_record ON history (kind, record_id, id);
CREATE INDEX history_of_book ON history (book_id, id) WHERE book_id IS NOT NULL;
