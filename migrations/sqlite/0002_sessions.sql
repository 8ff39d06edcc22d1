-- Sessions. `tower_sessions` has the layout tower-sessions' SQLite store
-- reads and writes: the record (MessagePack) and its expiry. The record only
-- ever holds the time the session started; it is written when the session
-- is created and when its expiry is renewed, never to change data.
CREATE TABLE tower_sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
);
CREATE INDEX tower_sessions_expiry_date ON tower_sessions (expiry_date);

-- What the site keeps about a session, one typed column per value. Each is
-- changed by its own atomic statement (never a whole-record read-modify-
-- write, which loses updates when a browser's requests overlap), and the
-- row goes when its session goes.
CREATE TABLE session_state (
    session_id TEXT PRIMARY KEY NOT NULL REFERENCES tower_sessions (id) ON DELETE CASCADE,
    -- Views of the home page.
    visits     INTEGER NOT NULL DEFAULT 0,
    -- 1 once the browser has sent the session cookie back. Sessions that
    -- stay unconfirmed (clients that drop cookies) are purged early.
    confirmed  INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL  -- Unix seconds
) WITHOUT ROWID;
CREATE INDEX session_state_unconfirmed ON session_state (created_at) WHERE confirmed = 0;
