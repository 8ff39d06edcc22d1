-- Session records keyed by their id alone (WITHOUT ROWID), as session_state
-- already is: a new session was an insert into two B-trees (the rows, by a
-- hidden rowid, and the index on id), at a random place in the second; now
-- it is one. The cookieless home view, which creates a session each time,
-- pays for that on every request.
--
-- SQLite cannot change a table into one without a rowid, so the records
-- are copied into a new table that takes the old one's name. Dropping the
-- old table deletes every session_state row with it (ON DELETE CASCADE;
-- foreign keys cannot be turned off inside the transaction a migration runs
-- in), so the state rows are set aside first and put back after.
CREATE TEMP TABLE session_state_kept AS SELECT * FROM session_state;

CREATE TABLE tower_sessions_keyed (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO tower_sessions_keyed (id, data, expiry_date)
    SELECT id, data, expiry_date FROM tower_sessions;
DROP TABLE tower_sessions;
ALTER TABLE tower_sessions_keyed RENAME TO tower_sessions;
CREATE INDEX tower_sessions_expiry_date ON tower_sessions (expiry_date);

INSERT INTO session_state
    (session_id, visits, confirmed, created_at, per_page, notice_dismissed, renewed_at)
    SELECT session_id, visits, confirmed, created_at, per_page, notice_dismissed, renewed_at
    FROM session_state_kept
    -- (A state row without its record could only come from a database
    -- written with foreign keys off; putting it back would fail.)
    WHERE session_id IN (SELECT id FROM tower_sessions);
DROP TABLE session_state_kept;
