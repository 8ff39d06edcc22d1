-- The lists' orders, as indexes: a page of books or authors can be read in
-- order and stop after the page, instead of sorting the whole table. The
-- expressions match the lists' ORDER BY clauses (app/src/catalog.rs).
CREATE INDEX book_title_order ON book (lower(title COLLATE "C"), id);
CREATE INDEX author_name_order ON author (lower(last_name COLLATE "C"), lower(first_name COLLATE "C"), id);
