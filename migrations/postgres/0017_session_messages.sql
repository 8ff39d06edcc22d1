-- What the last action said it did, until the next page shows it, once
-- (see migrations/sqlite/0023_session_messages.sql).
ALTER TABLE session_state ADD COLUMN message TEXT;
