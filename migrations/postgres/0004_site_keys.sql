-- Secrets the servers share, drawn by whichever starts first: the key that
-- signs a first view's cookie (app/src/session/first_view.rs).
CREATE TABLE site_keys (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
