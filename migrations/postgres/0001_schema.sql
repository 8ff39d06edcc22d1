-- The whole schema, as SQLite's migrations 0001-0005 leave it (see
-- migrations/sqlite for why each part is as it is). PostgreSQL support
-- began with this schema; later changes get a migration in both folders.
-- Integers are BIGINT throughout: the site reads every one as a 64-bit
-- integer, as SQLite stores them.

-- The catalog: the models of the MDN LocalLibrary tutorial. Ids come from
-- the catalog file so that links to /books/{id} stay stable across reloads.
CREATE TABLE genre (
    id   BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE language (
    id   BIGINT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE author (
    id            BIGINT PRIMARY KEY,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    date_of_birth TEXT,            -- YYYY-MM-DD
    date_of_death TEXT
);

CREATE TABLE book (
    id          BIGINT PRIMARY KEY,
    title       TEXT NOT NULL,
    author_id   BIGINT REFERENCES author (id) ON DELETE SET NULL,
    summary     TEXT NOT NULL,
    isbn        TEXT NOT NULL UNIQUE,  -- ISBN-13
    language_id BIGINT REFERENCES language (id) ON DELETE SET NULL,
    -- Title and author's names, lowercased by the catalog load.
    search_key  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX book_author_id ON book (author_id);

CREATE TABLE book_genre (
    book_id  BIGINT NOT NULL REFERENCES book (id) ON DELETE CASCADE,
    genre_id BIGINT NOT NULL REFERENCES genre (id) ON DELETE CASCADE,
    PRIMARY KEY (book_id, genre_id)
);

-- One physical copy of a book.
CREATE TABLE book_instance (
    id       TEXT PRIMARY KEY,  -- UUID
    book_id  BIGINT NOT NULL REFERENCES book (id) ON DELETE CASCADE,
    imprint  TEXT NOT NULL,
    due_back TEXT,              -- YYYY-MM-DD
    status   TEXT NOT NULL DEFAULT 'm'
             CHECK (status IN ('m', 'o', 'a', 'r'))  -- maintenance, on loan, available, reserved
);
CREATE INDEX book_instance_book_id ON book_instance (book_id);
CREATE INDEX book_instance_status ON book_instance (status);

-- The home page's figures, recounted by each catalog load.
CREATE TABLE catalog_counts (
    id               BIGINT PRIMARY KEY CHECK (id = 1),
    books            BIGINT NOT NULL,
    copies           BIGINT NOT NULL,
    copies_available BIGINT NOT NULL,
    authors          BIGINT NOT NULL
);
INSERT INTO catalog_counts (id, books, copies, copies_available, authors) VALUES (1, 0, 0, 0, 0);

-- Session records (tower-sessions): JSON data, expiry in Unix milliseconds.
CREATE TABLE tower_sessions (
    id          TEXT PRIMARY KEY,
    data        BYTEA NOT NULL,
    expiry_date BIGINT NOT NULL
);
CREATE INDEX tower_sessions_expiry_date ON tower_sessions (expiry_date);

-- What the site keeps about a session, one typed column per value, each
-- changed by its own atomic statement; the row goes with its session.
CREATE TABLE session_state (
    session_id       TEXT PRIMARY KEY REFERENCES tower_sessions (id) ON DELETE CASCADE,
    visits           BIGINT NOT NULL DEFAULT 0,
    confirmed        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       BIGINT NOT NULL,          -- Unix seconds
    per_page         BIGINT,                   -- NULL: the default
    notice_dismissed BOOLEAN NOT NULL DEFAULT FALSE,
    renewed_at       BIGINT NOT NULL DEFAULT 0 -- Unix milliseconds
);
CREATE INDEX session_state_unconfirmed ON session_state (created_at) WHERE NOT confirmed;
