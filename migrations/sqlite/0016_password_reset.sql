-- Password-reset links: each token is kept only as its SHA-256 (the link
-- holds the token itself); it works once, until `expires_at` (Unix
-- seconds), and any password change or sign-in of its user deletes it.
CREATE TABLE password_reset (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);
CREATE INDEX password_reset_account ON password_reset (account_id);

-- Mail the site sends (password resets): every message is kept here, and
-- sent by SMTP where the operator configured it ([mail] in Leptos.toml);
-- without it, the server's log shows it, as Django's console backend does.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,  -- Unix seconds
    sent_at    INTEGER,           -- Unix seconds; NULL: not sent by SMTP
    error      TEXT               -- why sending failed, if it did
);
