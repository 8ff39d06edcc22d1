-- The user a session is signed in as (NULL: nobody). Deleting a user
-- signs their sessions out.
ALTER TABLE session_state ADD COLUMN account_id BIGINT
    REFERENCES account (id) ON DELETE SET NULL;
CREATE INDEX session_state_account ON session_state (account_id)
    WHERE account_id IS NOT NULL;

-- Failed sign-ins of the last while, for the throttle: by the username
-- tried and by the address it came from. Rows older than the throttle's
-- window are deleted as new ones come.
CREATE TABLE sign_in_failure (
    username TEXT NOT NULL,
    address  TEXT NOT NULL,
    at       BIGINT NOT NULL  -- Unix milliseconds
);
CREATE INDEX sign_in_failure_username ON sign_in_failure (username, at);
CREATE INDEX sign_in_failure_address ON sign_in_failure (address, at);
CREATE INDEX sign_in_failure_at ON sign_in_failure (at);
