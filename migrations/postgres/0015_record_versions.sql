-- Each record a librarian edits has a version, which the database raises
-- on every change of the record, however made (see
-- migrations/sqlite/0021_record_versions.sql).
ALTER TABLE author ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE book ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE book_instance ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE genre ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE language ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE FUNCTION raise_record_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END
$$;
-- Only the record's own columns: its place in a list (renumbered when
-- another record is added) and its search terms are not part of it.
CREATE TRIGGER author_versioned
    BEFORE UPDATE OF first_name, last_name, date_of_birth, date_of_death ON author
    FOR EACH ROW EXECUTE FUNCTION raise_record_version();
CREATE TRIGGER book_versioned
    BEFORE UPDATE OF title, author_id, summary, isbn, language_id ON book
    FOR EACH ROW EXECUTE FUNCTION raise_record_version();
CREATE TRIGGER book_instance_versioned
    BEFORE UPDATE OF book_id, imprint, due_back, status, borrower_id ON book_instance
    FOR EACH ROW EXECUTE FUNCTION raise_record_version();
CREATE TRIGGER genre_versioned BEFORE UPDATE ON genre
    FOR EACH ROW EXECUTE FUNCTION raise_record_version();
CREATE TRIGGER language_versioned BEFORE UPDATE ON language
    FOR EACH ROW EXECUTE FUNCTION raise_record_version();
