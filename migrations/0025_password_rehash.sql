-- 0025_password_rehash.sql — password hashes move to today's argon2id
-- parameters (src/modules/auth/auth_password.c) at their owner's next
-- successful sign-in. The app role cannot update users; this function
-- replaces one hash, and only while it is still the one just verified, so
-- a password changed in between is never overwritten by the old one.
CREATE FUNCTION auth_password_rehash(p_user uuid, p_old text, p_new text) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	WITH u AS (
		UPDATE users SET password_hash = p_new
		WHERE id = p_user AND password_hash = p_old AND p_new LIKE '$argon2id$%'
		RETURNING 1
	)
	SELECT EXISTS (SELECT 1 FROM u)
$$;
REVOKE EXECUTE ON FUNCTION auth_password_rehash(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_password_rehash(uuid, text, text) TO receptionist_app;
