-- Search: a book's title and its author's names, lowercased with Unicode
-- rules when the catalog is loaded (SQLite's own lower() and LIKE fold
-- ASCII only), so that a case-insensitive search works for any script.
ALTER TABLE book ADD COLUMN search_key TEXT NOT NULL DEFAULT '';

-- Preferences a browser keeps in its session.
ALTER TABLE session_state ADD COLUMN per_page INTEGER;  -- NULL: the default
ALTER TABLE session_state ADD COLUMN notice_dismissed INTEGER NOT NULL DEFAULT 0;
