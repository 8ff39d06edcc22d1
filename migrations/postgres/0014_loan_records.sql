-- Each lending of a copy is a record of its own, kept after the copy comes
-- back (see migrations/sqlite/0020_loan_records.sql for why each part is as
-- it is). The database writes the records itself from the copy's changes.
CREATE TABLE loan (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    copy_id     TEXT NOT NULL,
    book_id     BIGINT,
    title       TEXT NOT NULL,
    borrower_id BIGINT NOT NULL REFERENCES account (id),
    lent_on     TEXT,             -- YYYY-MM-DD (UTC); NULL: lent before loans were recorded
    due_back    TEXT,
    renewals    BIGINT NOT NULL DEFAULT 0,
    ended_on    TEXT,             -- YYYY-MM-DD; NULL while the copy is out
    ending      TEXT CHECK (ending IN ('returned', 'copy removed')),
    CHECK ((ended_on IS NULL) = (ending IS NULL))
);
CREATE UNIQUE INDEX loan_open_by_copy ON loan (copy_id) WHERE ended_on IS NULL;
CREATE INDEX loan_by_borrower ON loan (borrower_id, id);
CREATE INDEX loan_by_book ON loan (book_id, id);

CREATE FUNCTION utc_today() RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')
$$;

-- Row by row, and only for the rows the WHEN clauses pass: a load that
-- updates 300,000 copies' imprints runs none of it.
CREATE FUNCTION record_loans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.borrower_id IS NOT NULL
       AND (TG_OP = 'DELETE' OR NEW.borrower_id IS DISTINCT FROM OLD.borrower_id) THEN
        UPDATE loan SET ended_on = utc_today(),
            ending = CASE TG_OP WHEN 'DELETE' THEN 'copy removed' ELSE 'returned' END
        WHERE copy_id = OLD.id AND ended_on IS NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.borrower_id IS NOT NULL THEN
        IF TG_OP = 'INSERT' OR NEW.borrower_id IS DISTINCT FROM OLD.borrower_id THEN
            INSERT INTO loan (copy_id, book_id, title, borrower_id, lent_on, due_back)
            VALUES (NEW.id, NEW.book_id, (SELECT title FROM book WHERE id = NEW.book_id),
                    NEW.borrower_id, utc_today(), NEW.due_back);
        ELSIF NEW.due_back IS DISTINCT FROM OLD.due_back THEN
            UPDATE loan SET due_back = NEW.due_back, renewals = renewals + 1
            WHERE copy_id = NEW.id AND ended_on IS NULL;
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER loan_recorded_on_insert AFTER INSERT ON book_instance
    FOR EACH ROW WHEN (NEW.borrower_id IS NOT NULL) EXECUTE FUNCTION record_loans();
CREATE TRIGGER loan_recorded_on_update AFTER UPDATE OF borrower_id, due_back ON book_instance
    FOR EACH ROW
    WHEN (NEW.borrower_id IS DISTINCT FROM OLD.borrower_id
          OR (NEW.borrower_id IS NOT NULL AND NEW.due_back IS DISTINCT FROM OLD.due_back))
    EXECUTE FUNCTION record_loans();
CREATE TRIGGER loan_recorded_on_delete AFTER DELETE ON book_instance
    FOR EACH ROW WHEN (OLD.borrower_id IS NOT NULL) EXECUTE FUNCTION record_loans();

INSERT INTO loan (copy_id, book_id, title, borrower_id, lent_on, due_back)
SELECT copy.id, copy.book_id, book.title, copy.borrower_id, NULL, copy.due_back
FROM book_instance copy JOIN book ON book.id = copy.book_id
WHERE copy.borrower_id IS NOT NULL;
