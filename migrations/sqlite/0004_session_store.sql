-- Session records are now written by the site's own store: the record is
-- JSON ({"started_at": <Unix seconds>}) and its expiry Unix seconds, so
-- loading and purging compare integers. Records written before (MessagePack,
-- RFC 3339 text) are rewritten: their start time is the state row's, else
-- now, and their expiry is kept.
UPDATE tower_sessions
SET data = CAST(json_object('started_at',
                COALESCE((SELECT created_at FROM session_state WHERE session_id = tower_sessions.id),
                         unixepoch())) AS BLOB),
    expiry_date = unixepoch(expiry_date)
WHERE typeof(expiry_date) = 'text';

-- When the session's expiry was last pushed back (Unix seconds). A page
-- view renews it only once half the lifetime has passed, and reads this in
-- the statement that counts the view; 0 means a renewal is due.
ALTER TABLE session_state ADD COLUMN renewed_at INTEGER NOT NULL DEFAULT 0;
