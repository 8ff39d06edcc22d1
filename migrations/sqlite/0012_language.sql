-- The language a browser chose to read the site in, as its tag ('en',
-- 'zh-TW'); NULL until it chooses (its Accept-Language decides).
ALTER TABLE session_state ADD COLUMN language TEXT;
