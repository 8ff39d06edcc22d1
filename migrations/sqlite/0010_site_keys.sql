-- Secrets the servers share, drawn by whichever starts first: the key that
-- signs a first view's cookie (app/src/session/first_view.rs).
CREATE TABLE site_keys (
    name TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) WITHOUT ROWID;
