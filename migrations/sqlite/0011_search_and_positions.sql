-- Search by words: a full-text index of each book's title and its author's
-- names. The tokenizer folds case in every script and removes diacritics,
-- so "garcia" finds "García" and "ВОЙНА" finds "Война" (queries:
-- app/src/catalog/search.rs). Only which column a word is in is kept, not
-- where in it (detail = column): searches are by words, not phrases, and
-- the smaller index is faster to search. The triggers
-- keep it in step with every change of a book or an author, whoever makes
-- it: the catalog load, an edit, a deleted author (whose books' author_id
-- the foreign key sets to NULL, an update like any other).
CREATE VIRTUAL TABLE book_search USING fts5 (
    title,
    author,
    tokenize = 'unicode61 remove_diacritics 2',
    detail = column
);

INSERT INTO book_search (rowid, title, author)
SELECT b.id, b.title, coalesce(a.first_name || ' ' || a.last_name, '')
FROM book b LEFT JOIN author a ON a.id = b.author_id;

CREATE TRIGGER book_search_insert AFTER INSERT ON book BEGIN
    INSERT INTO book_search (rowid, title, author)
    VALUES (new.id, new.title,
            coalesce((SELECT first_name || ' ' || last_name FROM author WHERE id = new.author_id), ''));
END;

CREATE TRIGGER book_search_delete AFTER DELETE ON book BEGIN
    DELETE FROM book_search WHERE rowid = old.id;
END;

CREATE TRIGGER book_search_update AFTER UPDATE OF id, title, author_id ON book BEGIN
    DELETE FROM book_search WHERE rowid = old.id;
    INSERT INTO book_search (rowid, title, author)
    VALUES (new.id, new.title,
            coalesce((SELECT first_name || ' ' || last_name FROM author WHERE id = new.author_id), ''));
END;

CREATE TRIGGER author_search_update AFTER UPDATE OF first_name, last_name ON author BEGIN
    UPDATE book_search SET author = new.first_name || ' ' || new.last_name
    WHERE rowid IN (SELECT id FROM book WHERE author_id = new.id);
END;

-- The lowercased copy the search by substring used.
ALTER TABLE book DROP COLUMN search_key;

-- Each book's and author's place in its list (1, 2, 3 … in the lists'
-- order), renumbered by whatever changes the catalog (app/src/catalog/
-- positions.rs): page 5,000 of a list is read from its index at once, as
-- page 1 is, instead of stepping over the 49,990 rows before it.
ALTER TABLE book ADD COLUMN list_position INTEGER;
ALTER TABLE author ADD COLUMN list_position INTEGER;
CREATE INDEX book_list_position ON book (list_position);
CREATE INDEX author_list_position ON author (list_position);
UPDATE book SET list_position = r.n
FROM (SELECT id, row_number() OVER (ORDER BY title COLLATE NOCASE, id) AS n FROM book) AS r
WHERE book.id = r.id;
UPDATE author SET list_position = r.n
FROM (SELECT id, row_number() OVER (ORDER BY last_name COLLATE NOCASE, first_name COLLATE NOCASE, id) AS n
      FROM author) AS r
WHERE author.id = r.id;

-- How many copies of a book are available, for every row of a list.
DROP INDEX book_instance_book_id;
CREATE INDEX book_instance_book_status ON book_instance (book_id, status);
