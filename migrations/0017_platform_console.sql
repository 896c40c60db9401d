-- 0017_platform_console: what the agency console (issue 13, item 14) needs
-- beyond 0004's platform functions: searching tenants, a reason on
-- suspend / restore / delete, one tenant with its usage, the platform
-- overview, and the act-as hand-off.
--
-- The hand-off: POST /v1/platform/act-as runs on the platform's host, but
-- the support session is used on the tenant's host, whose cookie the
-- platform host cannot set. The support session is created with a token
-- nobody holds, plus a one-time hand-off token (stored as its SHA-256,
-- valid 60 s at most). The console sends the browser to the tenant's host
-- with it; there POST /v1/auth/act-as/exchange trades it, once, for a new
-- session token, whose hash replaces the unheld one.

ALTER TABLE auth_sessions
    ADD COLUMN handoff_hash bytea UNIQUE,
    ADD COLUMN handoff_expires_at timestamptz;

-- Arms the hand-off of a support session the actor just opened.
CREATE FUNCTION platform_act_as_handoff(p_actor uuid, p_session uuid, p_handoff_hash bytea,
    p_ttl_s int) RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	exp timestamptz;
BEGIN
	PERFORM platform_check(p_actor);
	UPDATE auth_sessions s SET handoff_hash = p_handoff_hash,
	    handoff_expires_at = now() + make_interval(secs => least(greatest(p_ttl_s, 1), 60))
	WHERE s.id = p_session AND s.user_id = p_actor AND s.act_as_tenant_id IS NOT NULL
	    AND s.revoked_at IS NULL
	RETURNING s.handoff_expires_at INTO exp;
	RETURN exp;
END $$;

-- Trades a hand-off token for the session on the tenant's host. The token
-- is spent by being presented, whatever the outcome; it only works for the
-- tenant it was issued for, before its expiry, while the session and the
-- administrator are live. Audited in the tenant.
CREATE FUNCTION auth_act_as_exchange(p_handoff_hash bytea, p_tenant uuid,
    p_new_token_hash bytea, p_request_id text)
RETURNS TABLE (session_id uuid, csrf_token text, act_as_write boolean, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	s auth_sessions%ROWTYPE;
	due timestamptz;
BEGIN
	SELECT a.handoff_expires_at INTO due FROM auth_sessions a
	WHERE a.handoff_hash = p_handoff_hash FOR UPDATE;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	UPDATE auth_sessions a SET handoff_hash = NULL, handoff_expires_at = NULL
	WHERE a.handoff_hash = p_handoff_hash RETURNING * INTO s;
	IF due <= now() OR s.revoked_at IS NOT NULL OR s.expires_at <= now()
	    OR s.act_as_tenant_id IS DISTINCT FROM p_tenant
	    OR NOT auth_is_platform_admin(s.user_id)
	    OR NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = p_tenant AND t.status = 'active') THEN
		RETURN;
	END IF;
	UPDATE auth_sessions a SET token_hash = p_new_token_hash, last_seen_at = now()
	WHERE a.id = s.id;
	INSERT INTO audit_log (tenant_id, actor_type, actor_id, on_behalf_of, action,
	    target_type, target_id, changes, request_id)
	VALUES (p_tenant, 'platform', s.user_id::text, 'act_as', 'support.act_as_entered',
	    'session', s.id::text, NULL, p_request_id);
	RETURN QUERY SELECT s.id, s.csrf_token, s.act_as_write, s.expires_at;
END $$;

-- Tenants whose slug or name contains p_q (case-insensitive), else all.
CREATE FUNCTION platform_tenants_search(p_actor uuid, p_status text, p_q text,
    p_after_created timestamptz, p_after_id uuid, p_limit int)
RETURNS TABLE (id uuid, slug text, name text, status text, plan text,
    timezone text, created_at timestamptz, updated_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	pat text := '%' || replace(replace(replace(coalesce(p_q, ''), '\', '\\'), '%', '\%'),
	    '_', '\_') || '%';
BEGIN
	PERFORM platform_check(p_actor);
	RETURN QUERY SELECT t.id, t.slug, p.business_name, t.status, t.plan, p.timezone,
	    t.created_at, t.updated_at
	FROM tenants t LEFT JOIN tenant_profiles p ON p.tenant_id = t.id
	WHERE (p_status IS NULL OR t.status = p_status)
	    AND (p_q IS NULL OR t.slug ILIKE pat OR p.business_name ILIKE pat)
	    AND (p_after_id IS NULL OR (t.created_at, t.id) > (p_after_created, p_after_id))
	ORDER BY t.created_at, t.id
	LIMIT greatest(least(p_limit, 101), 1);
END $$;

-- 0004's platform_tenant_set_status with the operator's reason, kept in
-- the audit row's changes (the audit log is append-only: the row is
-- written whole here rather than amended).
CREATE FUNCTION platform_tenant_set_status_why(p_actor uuid, p_id uuid, p_status text,
    p_reason text, p_request_id text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	old text;
BEGIN
	PERFORM platform_check(p_actor);
	SELECT t.status INTO old FROM tenants t WHERE t.id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE tenants SET status = p_status,
	    deleted_at = CASE WHEN p_status = 'deleted' THEN now() END
	WHERE id = p_id;
	INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, target_type,
	    target_id, changes, request_id)
	VALUES (p_id, 'platform', p_actor::text,
	    CASE p_status WHEN 'active' THEN 'tenant.restored'
	        WHEN 'suspended' THEN 'tenant.suspended' ELSE 'tenant.deleted' END,
	    'tenant', p_id::text,
	    jsonb_build_object('status', jsonb_build_object('from', old, 'to', p_status))
	        || CASE WHEN p_reason IS NULL THEN '{}'::jsonb
	            ELSE jsonb_build_object('reason', p_reason) END,
	    p_request_id);
	-- A suspended or deleted tenant's support sessions end with it.
	IF p_status <> 'active' THEN
		UPDATE auth_sessions SET revoked_at = now()
		WHERE act_as_tenant_id = p_id AND revoked_at IS NULL;
	END IF;
	RETURN old;
END $$;

-- Usage of the current month for one tenant, as JSON (the console's tenant
-- page and overview share it).
CREATE FUNCTION platform_usage_of(p_tenant uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT jsonb_build_object(
	    'month', to_char(usage_current_month(), 'YYYY-MM'),
	    'messages', coalesce((SELECT sum(u.messages) FROM usage_monthly u
	        WHERE u.tenant_id = p_tenant AND u.month = usage_current_month()), 0),
	    'model_calls', coalesce((SELECT sum(u.model_calls) FROM usage_monthly u
	        WHERE u.tenant_id = p_tenant AND u.month = usage_current_month()), 0),
	    'bookings', (SELECT count(*) FROM bookings b WHERE b.tenant_id = p_tenant
	        AND b.created_at >= date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'),
	    'users', (SELECT count(*) FROM tenant_memberships m WHERE m.tenant_id = p_tenant
	        AND m.deleted_at IS NULL),
	    'pending_invitations', (SELECT count(*) FROM invitations i WHERE i.tenant_id = p_tenant
	        AND i.accepted_at IS NULL AND i.deleted_at IS NULL AND i.expires_at > now()))
$$;
REVOKE ALL ON FUNCTION platform_usage_of(uuid) FROM PUBLIC;

-- One tenant for the console: its row, this month's usage, its pending
-- invitations and its last 50 platform / support audit rows.
CREATE FUNCTION platform_tenant_detail(p_actor uuid, p_id uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	PERFORM platform_check(p_actor);
	RETURN (SELECT jsonb_build_object('id', t.id, 'slug', t.slug, 'name', p.business_name,
	    'status', t.status, 'plan', t.plan, 'timezone', p.timezone,
	    'created_at', t.created_at, 'updated_at', t.updated_at, 'deleted_at', t.deleted_at,
	    'usage', platform_usage_of(t.id),
	    'invitations', coalesce((SELECT jsonb_agg(jsonb_build_object('id', i.id,
	        'email', i.email, 'role', i.role, 'expires_at', i.expires_at,
	        'created_at', i.created_at) ORDER BY i.created_at DESC)
	        FROM invitations i WHERE i.tenant_id = t.id AND i.accepted_at IS NULL
	        AND i.deleted_at IS NULL AND i.expires_at > now()), '[]'::jsonb),
	    'platform_activity', coalesce((SELECT jsonb_agg(x ORDER BY x.created_at DESC)
	        FROM (SELECT a.id, a.actor_type, a.actor_id, a.on_behalf_of, a.action,
	            a.target_type, a.target_id, a.changes, a.created_at
	            FROM audit_log a WHERE a.tenant_id = t.id AND a.actor_type = 'platform'
	            ORDER BY a.created_at DESC LIMIT 50) x), '[]'::jsonb))
	FROM tenants t LEFT JOIN tenant_profiles p ON p.tenant_id = t.id
	WHERE t.id = p_id);
END $$;

-- The platform at a glance: tenants by plan and by status, and this
-- month's usage over the tenants that are not deleted.
CREATE FUNCTION platform_overview(p_actor uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	PERFORM platform_check(p_actor);
	RETURN jsonb_build_object(
	    'month', to_char(usage_current_month(), 'YYYY-MM'),
	    'tenants', (SELECT count(*) FROM tenants),
	    'by_plan', coalesce((SELECT jsonb_object_agg(plan, n) FROM (SELECT t.plan, count(*) AS n
	        FROM tenants t WHERE t.status <> 'deleted' GROUP BY t.plan) x), '{}'::jsonb),
	    'by_status', coalesce((SELECT jsonb_object_agg(status, n) FROM (SELECT t.status,
	        count(*) AS n FROM tenants t GROUP BY t.status) x), '{}'::jsonb),
	    'usage', jsonb_build_object(
	        'messages', coalesce((SELECT sum(u.messages) FROM usage_monthly u
	            JOIN tenants t ON t.id = u.tenant_id
	            WHERE u.month = usage_current_month() AND t.status <> 'deleted'), 0),
	        'model_calls', coalesce((SELECT sum(u.model_calls) FROM usage_monthly u
	            JOIN tenants t ON t.id = u.tenant_id
	            WHERE u.month = usage_current_month() AND t.status <> 'deleted'), 0),
	        'tokens', coalesce((SELECT sum(u.input_tokens + u.output_tokens) FROM usage_monthly u
	            JOIN tenants t ON t.id = u.tenant_id
	            WHERE u.month = usage_current_month() AND t.status <> 'deleted'), 0),
	        'bookings', (SELECT count(*) FROM bookings b JOIN tenants t ON t.id = b.tenant_id
	            WHERE t.status <> 'deleted' AND b.created_at >=
	            date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')),
	    'top_by_messages', coalesce((SELECT jsonb_agg(x ORDER BY x.messages DESC) FROM
	        (SELECT t.id, t.slug, p.business_name AS name, t.plan, sum(u.messages) AS messages
	        FROM usage_monthly u JOIN tenants t ON t.id = u.tenant_id
	        LEFT JOIN tenant_profiles p ON p.tenant_id = t.id
	        WHERE u.month = usage_current_month() AND t.status <> 'deleted'
	        GROUP BY t.id, t.slug, p.business_name, t.plan
	        ORDER BY sum(u.messages) DESC LIMIT 10) x), '[]'::jsonb));
END $$;

REVOKE ALL ON FUNCTION
    platform_act_as_handoff(uuid, uuid, bytea, int),
    auth_act_as_exchange(bytea, uuid, bytea, text),
    platform_tenants_search(uuid, text, text, timestamptz, uuid, int),
    platform_tenant_set_status_why(uuid, uuid, text, text, text),
    platform_tenant_detail(uuid, uuid),
    platform_overview(uuid)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    platform_act_as_handoff(uuid, uuid, bytea, int),
    auth_act_as_exchange(bytea, uuid, bytea, text),
    platform_tenants_search(uuid, text, text, timestamptz, uuid, int),
    platform_tenant_set_status_why(uuid, uuid, text, text, text),
    platform_tenant_detail(uuid, uuid),
    platform_overview(uuid)
TO receptionist_app;
