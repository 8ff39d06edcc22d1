-- The site's users: members, who borrow, and librarians, who also lend,
-- renew and edit authors. A password is kept only as its Argon2id hash
-- (a PHC string); a user who is not active cannot sign in.
CREATE TABLE account (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_active     INTEGER NOT NULL DEFAULT 1,
    is_librarian  INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,  -- Unix seconds
    last_login    INTEGER            -- Unix seconds; NULL: never signed in
);
