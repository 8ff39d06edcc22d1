-- Search by words (see migrations/sqlite/0011 for the why): a text-search
-- vector of each book's title (weight A) and its author's names (B), kept
-- in step by triggers with every change of a book or an author. Words are
-- folded before they are parsed: accents removed (the unaccent extension,
-- trusted since PostgreSQL 13, so the database's owner may create it),
-- lowercased by ICU's rules in every script whatever the database's
-- locale ("C" lowercases ASCII only), and everything but letters and
-- digits made a space, as SQLite's tokenizer splits words (the parser
-- would take "<Big>" for a tag and drop it). Queries fold their words
-- alike (search_query), so both sides always agree.
CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE FUNCTION search_fold(words text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT regexp_replace(lower(unaccent(words) COLLATE "und-x-icu"), '[^[:alnum:]]+', ' ', 'g')
$$;

CREATE FUNCTION book_search_vector(title text, author_id bigint) RETURNS tsvector
LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('simple', search_fold(title)), 'A')
        || setweight(to_tsvector('simple', search_fold(coalesce(
               (SELECT first_name || ' ' || last_name FROM author WHERE id = author_id), ''))), 'B')
$$;

-- Every word of `term` required, the last as a prefix (a search typed so
-- far); `weights` 'A' for the title only, '' anywhere. NULL (matching
-- nothing) when it has no word.
CREATE FUNCTION search_query(term text, weights text) RETURNS tsquery
LANGUAGE sql STABLE AS $$
    SELECT string_agg(
               quote_literal(word)
                   || CASE WHEN n = last OR weights <> ''
                           THEN ':' || CASE WHEN n = last THEN '*' ELSE '' END || weights
                           ELSE '' END,
               ' & ' ORDER BY n)::tsquery
    FROM (SELECT word, n, max(n) OVER () AS last
          FROM regexp_split_to_table(trim(search_fold(term)), ' +') WITH ORDINALITY AS w (word, n)
          WHERE word <> '') AS words
$$;

ALTER TABLE book DROP COLUMN search_key;
ALTER TABLE book ADD COLUMN search tsvector;
UPDATE book SET search = book_search_vector(title, author_id);
-- Without a pending list: GIN's fast update keeps new entries in a list
-- every search reads through until a vacuum merges it, which after a
-- catalog load made each search several milliseconds slower. The catalog
-- changes seldom; its searches are what must be quick.
CREATE INDEX book_search ON book USING gin (search) WITH (fastupdate = off);

CREATE FUNCTION book_search_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search := book_search_vector(NEW.title, NEW.author_id);
    RETURN NEW;
END $$;
CREATE TRIGGER book_search_update BEFORE INSERT OR UPDATE OF title, author_id ON book
FOR EACH ROW EXECUTE FUNCTION book_search_update();

CREATE FUNCTION author_search_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE book SET search = book_search_vector(title, author_id) WHERE author_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER author_search_update AFTER UPDATE OF first_name, last_name ON author
FOR EACH ROW EXECUTE FUNCTION author_search_update();

-- Each book's and author's place in its list (see migrations/sqlite/0011).
ALTER TABLE book ADD COLUMN list_position BIGINT;
ALTER TABLE author ADD COLUMN list_position BIGINT;
CREATE INDEX book_list_position ON book (list_position);
CREATE INDEX author_list_position ON author (list_position);
UPDATE book SET list_position = r.n
FROM (SELECT id, row_number() OVER (ORDER BY lower(title COLLATE "C"), id) AS n FROM book) AS r
WHERE book.id = r.id;
UPDATE author SET list_position = r.n
FROM (SELECT id, row_number() OVER (ORDER BY lower(last_name COLLATE "C"), lower(first_name COLLATE "C"), id) AS n
      FROM author) AS r
WHERE author.id = r.id;

DROP INDEX book_instance_book_id;
CREATE INDEX book_instance_book_status ON book_instance (book_id, status);
