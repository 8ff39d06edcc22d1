-- The catalog: the models of the MDN LocalLibrary tutorial. Ids come from the
-- catalog file so that links to /books/{id} stay stable across reloads.

CREATE TABLE genre (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE language (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE author (
    id            INTEGER PRIMARY KEY,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    date_of_birth TEXT,            -- YYYY-MM-DD
    date_of_death TEXT
);

CREATE TABLE book (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    author_id   INTEGER REFERENCES author (id) ON DELETE SET NULL,
    summary     TEXT NOT NULL,
    isbn        TEXT NOT NULL UNIQUE,  -- ISBN-13
    language_id INTEGER REFERENCES language (id) ON DELETE SET NULL
);
CREATE INDEX book_author_id ON book (author_id);

CREATE TABLE book_genre (
    book_id  INTEGER NOT NULL REFERENCES book (id) ON DELETE CASCADE,
    genre_id INTEGER NOT NULL REFERENCES genre (id) ON DELETE CASCADE,
    PRIMARY KEY (book_id, genre_id)
) WITHOUT ROWID;

-- One physical copy of a book.
CREATE TABLE book_instance (
    id       TEXT PRIMARY KEY NOT NULL,  -- UUID
    book_id  INTEGER NOT NULL REFERENCES book (id) ON DELETE CASCADE,
    imprint  TEXT NOT NULL,
    due_back TEXT,                       -- YYYY-MM-DD
    status   TEXT NOT NULL DEFAULT 'm'
             CHECK (status IN ('m', 'o', 'a', 'r'))  -- maintenance, on loan, available, reserved
);
CREATE INDEX book_instance_book_id ON book_instance (book_id);
CREATE INDEX book_instance_status ON book_instance (status);
