-- A genre's or a language's name is unique ignoring case, as the reference
-- tutorial's constraint has it (UniqueConstraint(Lower('name'))):
-- "fantasy" beside "Fantasy" is one genre named twice. SQLite's lower()
-- folds ASCII letters; the site folds the rest before it asks.
CREATE UNIQUE INDEX genre_name_ignoring_case ON genre (lower(name));
CREATE UNIQUE INDEX language_name_ignoring_case ON language (lower(name));
