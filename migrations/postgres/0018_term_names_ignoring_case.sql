-- A genre's or a language's name is unique ignoring case (see
-- migrations/sqlite/0024_term_names_ignoring_case.sql).
CREATE UNIQUE INDEX genre_name_ignoring_case ON genre (lower(name));
CREATE UNIQUE INDEX language_name_ignoring_case ON language (lower(name));
