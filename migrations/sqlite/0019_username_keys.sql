-- Usernames are unique as people read them, not byte for byte: `ALICE`,
-- fullwidth `ａｌｉｃｅ` and `aliсe` with a Cyrillic с are all `alice`. The key
-- is the server's to compute (app::accounts::username_key: NFKC, case
-- folded, Unicode's confusable skeleton); users made before it get theirs
-- when the server next starts, and any two that cannot be told apart are
-- named in its log, both kept.
ALTER TABLE account ADD COLUMN username_key TEXT;
-- (Not "account_username_key": PostgreSQL gave that name to username's own
-- unique constraint.)
CREATE UNIQUE INDEX account_by_username_key ON account (username_key);
