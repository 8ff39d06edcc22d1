-- Session expiry and renewal times in Unix milliseconds, not seconds: in
-- whole seconds a session could end, or be renewed, up to a second early.
UPDATE tower_sessions SET expiry_date = expiry_date * 1000;
UPDATE session_state SET renewed_at = renewed_at * 1000;
