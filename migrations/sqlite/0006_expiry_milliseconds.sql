-- Session expiry in Unix milliseconds, not seconds: stored in whole
-- seconds, a session could end up to a second before its time.
UPDATE tower_sessions SET expiry_date = expiry_date * 1000;
