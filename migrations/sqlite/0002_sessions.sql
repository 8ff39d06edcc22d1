-- Sessions. `tower_sessions` has the layout tower-sessions' SQLite store
-- reads and writes (the record, MessagePack-encoded, and its expiry).
CREATE TABLE tower_sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
);
CREATE INDEX tower_sessions_expiry_date ON tower_sessions (expiry_date);

-- The home-page visit counter, outside the record so that it is changed by
-- one atomic statement rather than a whole-record read and write (which
-- loses updates when a browser's requests overlap). It goes with its session.
CREATE TABLE session_visits (
    session_id TEXT PRIMARY KEY NOT NULL REFERENCES tower_sessions (id) ON DELETE CASCADE,
    visits     INTEGER NOT NULL
) WITHOUT ROWID;
