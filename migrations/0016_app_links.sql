-- 0016_app_links: where links in mail lead. A password reset goes to the
-- admin app of the business the account works for, so the link opens on
-- that business's host (built from its slug or verified domain, never from
-- the Host header of the request that asked for it).

-- The tenant whose host a reset link for this account should open: the
-- preferred one (a tenant the caller already knows, if any) when the
-- account is a member there, else its only membership of a live business. NULL — the
-- platform's own host — for platform administrators, unknown accounts and
-- accounts of several businesses.
CREATE FUNCTION auth_reset_home(p_email text, p_prefer uuid) RETURNS uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	u users%ROWTYPE;
	ids uuid[];
BEGIN
	SELECT * INTO u FROM users WHERE email = p_email::citext
	    AND status = 'active' AND deleted_at IS NULL;
	IF NOT FOUND OR u.platform_role IS NOT NULL THEN
		RETURN NULL;
	END IF;
	SELECT array_agg(m.tenant_id ORDER BY m.created_at) INTO ids
	FROM tenant_memberships m JOIN tenants t ON t.id = m.tenant_id
	WHERE m.user_id = u.id AND m.deleted_at IS NULL AND t.status = 'active';
	IF p_prefer IS NOT NULL AND p_prefer = ANY (ids) THEN
		RETURN p_prefer;
	END IF;
	IF cardinality(ids) = 1 THEN
		RETURN ids[1];
	END IF;
	RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION auth_reset_home(text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth_reset_home(text, uuid) TO receptionist_app;
