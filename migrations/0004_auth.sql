-- 0004_auth: sign-in sessions, 2FA, single-use tokens, API keys, outbox.
-- (being written)
SELECT 1;
