-- The lists' orders, as indexes: a page of books or authors is read in
-- order and stops after the page, instead of sorting the whole table (and,
-- for books, looking up every book's author) to show ten rows. The
-- expressions match the lists' ORDER BY clauses (app/src/catalog.rs).
CREATE INDEX book_title_order ON book (title COLLATE NOCASE, id);
CREATE INDEX author_name_order ON author (last_name COLLATE NOCASE, first_name COLLATE NOCASE, id);
