-- Who has a copy on loan: set when a librarian lends it, cleared when it
-- comes back. Copies on loan in a loaded catalog file have no borrower.
ALTER TABLE book_instance ADD COLUMN borrower_id INTEGER REFERENCES account (id);
CREATE INDEX book_instance_borrower ON book_instance (borrower_id, due_back)
    WHERE borrower_id IS NOT NULL;
