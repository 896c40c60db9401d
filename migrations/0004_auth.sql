-- 0004_auth: sign-in sessions, 2FA, single-use tokens, invitations, API
-- keys, tenant security settings, the notification outbox, and the narrow
-- SECURITY DEFINER functions through which the runtime role reaches the
-- global account tables (users, auth_sessions, …), which it may never read
-- directly (tests/sql/02 proves that).
--
-- Conventions: every function that crosses tenants or touches a global
-- table is SECURITY DEFINER with a pinned search_path, REVOKEd from PUBLIC
-- and GRANTed to receptionist_app only, and returns what its one caller
-- needs and nothing more. Tokens are stored as SHA-256 hashes only.

-- Sessions: idle and absolute expiry, the CSRF token, and the "act as"
-- binding of support sessions. The column is act_as_tenant_id, not
-- tenant_id: sessions are global rows, and a tenant_id column would make
-- the generic RLS checks treat them as tenant-owned.
ALTER TABLE auth_sessions
    ADD COLUMN csrf_token text NOT NULL DEFAULT '' CHECK (length(csrf_token) <= 64),
    ADD COLUMN act_as_tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
    ADD COLUMN act_as_write boolean NOT NULL DEFAULT false,
    ADD COLUMN act_as_reason text CHECK (length(act_as_reason) <= 500),
    ADD COLUMN ip text CHECK (length(ip) <= 64);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id) WHERE revoked_at IS NULL;

-- Optimistic concurrency for role changes (If-Match).
ALTER TABLE tenant_memberships ADD COLUMN version int NOT NULL DEFAULT 1;

-- TOTP secrets, encrypted (XChaCha20-Poly1305) under APP_ENCRYPTION_KEY;
-- key_id says which key, so keys can rotate. last_step is the newest time
-- step accepted: a code is never accepted twice, nor an older one.
CREATE TABLE user_totp (
	user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	secret_ct bytea NOT NULL,
	nonce bytea NOT NULL CHECK (length(nonce) = 24),
	key_id text NOT NULL CHECK (length(key_id) <= 32),
	confirmed_at timestamptz,
	last_step bigint,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE user_totp ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_totp FORCE ROW LEVEL SECURITY;
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON user_totp
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE user_recovery_codes (
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	code_hash bytea NOT NULL,
	used_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, code_hash)
);
ALTER TABLE user_recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_recovery_codes FORCE ROW LEVEL SECURITY;

-- Single-use, expiring account tokens (password reset). Global: a person's
-- password is not any one tenant's business.
CREATE TABLE auth_tokens (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	purpose text NOT NULL CHECK (purpose IN ('password_reset')),
	token_hash bytea NOT NULL UNIQUE,
	expires_at timestamptz NOT NULL,
	used_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id, purpose);
ALTER TABLE auth_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_tokens FORCE ROW LEVEL SECURITY;

-- Mail that belongs to no tenant (password resets): never visible to a
-- tenant's administrators, sent by the worker once a provider is set.
CREATE TABLE platform_outbox (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	channel text NOT NULL DEFAULT 'email' CHECK (channel IN ('email')),
	recipient text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
	template text NOT NULL CHECK (template ~ '^[a-z_]+(\.[a-z_]+)*$'),
	payload jsonb NOT NULL DEFAULT '{}',
	status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
	attempts int NOT NULL DEFAULT 0,
	last_error text,
	sent_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX platform_outbox_queued ON platform_outbox (created_at) WHERE status = 'queued';
ALTER TABLE platform_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform_outbox FORCE ROW LEVEL SECURITY;
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON platform_outbox
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Tenant-owned tables ------------------------------------------------------

-- A tenant's mail (invitations, later reminders): the admin reads it, the
-- worker sends it.
CREATE TABLE notification_outbox (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	channel text NOT NULL DEFAULT 'email' CHECK (channel IN ('email')),
	recipient text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
	template text NOT NULL CHECK (template ~ '^[a-z_]+(\.[a-z_]+)*$'),
	payload jsonb NOT NULL DEFAULT '{}',
	status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
	attempts int NOT NULL DEFAULT 0,
	last_error text,
	sent_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX notification_outbox_recent ON notification_outbox (tenant_id, created_at DESC, id);
SELECT tenant_table_setup('notification_outbox');

CREATE TABLE tenant_security_settings (
	tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
	mfa_required boolean NOT NULL DEFAULT false,
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT tenant_table_setup('tenant_security_settings');

CREATE TABLE invitations (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	email citext NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	role text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'VIEWER', 'STAFF',
	    'ORDER_MANAGER', 'ACCOUNTANT')),
	token_hash bytea NOT NULL UNIQUE,
	invited_by uuid,
	expires_at timestamptz NOT NULL,
	accepted_at timestamptz,
	accepted_user_id uuid,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX invitations_recent ON invitations (tenant_id, created_at DESC, id);
SELECT tenant_table_setup('invitations');

CREATE TABLE api_keys (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	prefix text NOT NULL UNIQUE CHECK (prefix ~ '^[a-z0-9]{12}$'),
	key_hash bytea NOT NULL UNIQUE,
	role text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'VIEWER', 'STAFF',
	    'ORDER_MANAGER', 'ACCOUNTANT')),
	scopes text[] NOT NULL DEFAULT '{}' CHECK (cardinality(scopes) <= 32),
	created_by uuid,
	last_used_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	revoked_at timestamptz,
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX api_keys_recent ON api_keys (tenant_id, created_at DESC, id);
SELECT tenant_table_setup('api_keys');

-- Helpers (owner-only, not granted) ---------------------------------------

CREATE FUNCTION auth_is_platform_admin(p_user uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM users u WHERE u.id = p_user
	    AND u.platform_role = 'PLATFORM_ADMIN' AND u.status = 'active'
	    AND u.deleted_at IS NULL)
$$;

-- Sign-in -----------------------------------------------------------------

-- What login needs to verify a password: the hash stays in the database
-- process until this row is read, and is compared in the application.
CREATE FUNCTION auth_login_lookup(p_email text)
RETURNS TABLE (user_id uuid, password_hash text, active boolean, totp_enabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT u.id, u.password_hash, u.status = 'active' AND u.deleted_at IS NULL,
	    EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id
	        AND t.confirmed_at IS NOT NULL)
	FROM users u WHERE u.email = p_email::citext
$$;

CREATE FUNCTION auth_user_profile(p_user uuid)
RETURNS TABLE (id uuid, email text, name text, platform_admin boolean,
    totp_enabled boolean, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT u.id, u.email::text, u.name, u.platform_role = 'PLATFORM_ADMIN',
	    EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id
	        AND t.confirmed_at IS NOT NULL), u.password_hash
	FROM users u WHERE u.id = p_user AND u.deleted_at IS NULL
$$;

-- The caller's own memberships, across tenants: only live tenants, with
-- whether each requires 2FA (so sign-in can tell the person to enrol).
CREATE FUNCTION auth_user_memberships(p_user uuid)
RETURNS TABLE (tenant_id uuid, slug text, role text, mfa_required boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT m.tenant_id, t.slug, m.role, coalesce(s.mfa_required, false)
	FROM tenant_memberships m
	JOIN tenants t ON t.id = m.tenant_id
	LEFT JOIN tenant_security_settings s ON s.tenant_id = m.tenant_id
	WHERE m.user_id = p_user AND m.deleted_at IS NULL AND t.status <> 'deleted'
	ORDER BY t.slug
$$;

CREATE FUNCTION auth_session_create(p_user uuid, p_token_hash bytea, p_csrf text,
    p_max_age_s int, p_ip text)
RETURNS TABLE (session_id uuid, expires_at timestamptz)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	INSERT INTO auth_sessions AS s (user_id, token_hash, csrf_token, expires_at, ip)
	VALUES (p_user, p_token_hash, p_csrf, now() + make_interval(secs => p_max_age_s), p_ip)
	RETURNING s.id, s.expires_at
$$;

-- Resolves a presented session token. A session is live while not revoked,
-- before its absolute expiry, and seen within the idle timeout; a support
-- (act-as) session also ends with its tenant. last_seen_at is refreshed at
-- most every p_touch_s seconds so that reads do not all turn into writes.
CREATE FUNCTION auth_session_resolve(p_token_hash bytea, p_idle_s int, p_touch_s int)
RETURNS TABLE (session_id uuid, user_id uuid, platform_admin boolean,
    totp_enabled boolean, csrf_token text, act_as_tenant_id uuid,
    act_as_write boolean, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	s auth_sessions%ROWTYPE;
BEGIN
	SELECT * INTO s FROM auth_sessions a WHERE a.token_hash = p_token_hash;
	IF NOT FOUND OR s.revoked_at IS NOT NULL OR s.expires_at <= now()
	    OR s.last_seen_at + make_interval(secs => p_idle_s) <= now() THEN
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id
	    AND u.status = 'active' AND u.deleted_at IS NULL) THEN
		RETURN;
	END IF;
	IF s.act_as_tenant_id IS NOT NULL AND NOT auth_is_platform_admin(s.user_id) THEN
		RETURN;
	END IF;
	IF s.last_seen_at < now() - make_interval(secs => p_touch_s) THEN
		UPDATE auth_sessions a SET last_seen_at = now() WHERE a.id = s.id;
	END IF;
	RETURN QUERY SELECT s.id, s.user_id,
	    coalesce((SELECT u.platform_role = 'PLATFORM_ADMIN' FROM users u
	        WHERE u.id = s.user_id), false),
	    EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = s.user_id
	        AND t.confirmed_at IS NOT NULL),
	    s.csrf_token, s.act_as_tenant_id, s.act_as_write, s.expires_at;
END $$;

CREATE FUNCTION auth_session_revoke(p_session uuid) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	UPDATE auth_sessions SET revoked_at = now()
	WHERE id = p_session AND revoked_at IS NULL
	RETURNING true
$$;

CREATE FUNCTION auth_sessions_revoke_user(p_user uuid) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	n bigint;
BEGIN
	UPDATE auth_sessions SET revoked_at = now()
	WHERE user_id = p_user AND revoked_at IS NULL;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;

-- Two-factor ----------------------------------------------------------------

CREATE FUNCTION auth_totp_get(p_user uuid)
RETURNS TABLE (secret_ct bytea, nonce bytea, key_id text, confirmed boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT t.secret_ct, t.nonce, t.key_id, t.confirmed_at IS NOT NULL
	FROM user_totp t WHERE t.user_id = p_user
$$;

-- A new pending secret; refused (false) while one is confirmed.
CREATE FUNCTION auth_totp_begin(p_user uuid, p_ct bytea, p_nonce bytea, p_key_id text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	INSERT INTO user_totp AS t (user_id, secret_ct, nonce, key_id)
	VALUES (p_user, p_ct, p_nonce, p_key_id)
	ON CONFLICT (user_id) DO UPDATE SET secret_ct = excluded.secret_ct,
	    nonce = excluded.nonce, key_id = excluded.key_id, last_step = NULL
	WHERE t.confirmed_at IS NULL;
	RETURN FOUND;
END $$;

-- Accepts time step p_step once: only a step newer than every step
-- accepted before, so a code seen on the wire cannot be replayed.
CREATE FUNCTION auth_totp_use_step(p_user uuid, p_step bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	UPDATE user_totp SET last_step = p_step
	WHERE user_id = p_user AND (last_step IS NULL OR last_step < p_step);
	RETURN FOUND;
END $$;

-- Confirms enrolment and replaces the recovery codes, in one statement set.
CREATE FUNCTION auth_totp_confirm(p_user uuid, p_codes bytea[]) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	UPDATE user_totp SET confirmed_at = now()
	WHERE user_id = p_user AND confirmed_at IS NULL;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	DELETE FROM user_recovery_codes WHERE user_id = p_user;
	INSERT INTO user_recovery_codes (user_id, code_hash)
	SELECT p_user, c FROM unnest(p_codes) AS c;
	RETURN true;
END $$;

CREATE FUNCTION auth_totp_disable(p_user uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	DELETE FROM user_recovery_codes WHERE user_id = p_user;
	DELETE FROM user_totp WHERE user_id = p_user;
	RETURN FOUND;
END $$;

CREATE FUNCTION auth_recovery_use(p_user uuid, p_hash bytea) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	UPDATE user_recovery_codes SET used_at = now()
	WHERE user_id = p_user AND code_hash = p_hash AND used_at IS NULL;
	RETURN FOUND;
END $$;

CREATE FUNCTION auth_recovery_remaining(p_user uuid) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT count(*) FROM user_recovery_codes WHERE user_id = p_user AND used_at IS NULL
$$;

-- Password reset --------------------------------------------------------------

-- Issues a reset token and queues its mail, only when the account exists
-- and is active. Returns whether it did, which the API never reveals.
CREATE FUNCTION auth_reset_request(p_email text, p_token_hash bytea, p_ttl_s int,
    p_payload jsonb) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	u users%ROWTYPE;
BEGIN
	SELECT * INTO u FROM users WHERE email = p_email::citext
	    AND status = 'active' AND deleted_at IS NULL;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	INSERT INTO auth_tokens (user_id, purpose, token_hash, expires_at)
	VALUES (u.id, 'password_reset', p_token_hash, now() + make_interval(secs => p_ttl_s));
	INSERT INTO platform_outbox (recipient, template, payload)
	VALUES (u.email::text, 'auth.password_reset', p_payload || jsonb_build_object('name', u.name));
	RETURN true;
END $$;

-- The account a live reset token is for (its e-mail, for the policy check).
CREATE FUNCTION auth_reset_peek(p_token_hash bytea)
RETURNS TABLE (user_id uuid, email text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT u.id, u.email::text FROM auth_tokens t JOIN users u ON u.id = t.user_id
	WHERE t.token_hash = p_token_hash AND t.purpose = 'password_reset'
	    AND t.used_at IS NULL AND t.expires_at > now() AND u.deleted_at IS NULL
$$;

-- Uses the token (once), sets the password, and ends every session and
-- every other reset token of the account.
CREATE FUNCTION auth_reset_consume(p_token_hash bytea, p_password_hash text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	uid uuid;
BEGIN
	UPDATE auth_tokens SET used_at = now()
	WHERE token_hash = p_token_hash AND purpose = 'password_reset'
	    AND used_at IS NULL AND expires_at > now()
	RETURNING user_id INTO uid;
	IF uid IS NULL THEN
		RETURN NULL;
	END IF;
	UPDATE users SET password_hash = p_password_hash WHERE id = uid;
	UPDATE auth_tokens SET used_at = now()
	WHERE user_id = uid AND purpose = 'password_reset' AND used_at IS NULL;
	UPDATE auth_sessions SET revoked_at = now() WHERE user_id = uid AND revoked_at IS NULL;
	RETURN uid;
END $$;

-- Invitations ---------------------------------------------------------------------

-- A live invitation by its token, and whether its address already has an
-- account (and that account's hash, to verify the password it signs in with).
CREATE FUNCTION auth_invitation_peek(p_token_hash bytea)
RETURNS TABLE (invitation_id uuid, tenant_id uuid, email text, role text,
    user_id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT i.id, i.tenant_id, i.email::text, i.role, u.id, u.password_hash
	FROM invitations i JOIN tenants t ON t.id = i.tenant_id
	LEFT JOIN users u ON u.email = i.email AND u.deleted_at IS NULL
	WHERE i.token_hash = p_token_hash AND i.accepted_at IS NULL
	    AND i.deleted_at IS NULL AND i.expires_at > now() AND t.status = 'active'
$$;

-- Accepts an invitation once: creates the account when p_password_hash is
-- given and none exists, adds (or restores) the membership, audits it in
-- the tenant. Returns the user and tenant, or nothing when the token is no
-- longer live.
CREATE FUNCTION auth_invitation_accept(p_token_hash bytea, p_name text,
    p_password_hash text, p_request_id text)
RETURNS TABLE (user_id uuid, tenant_id uuid, role text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	inv invitations%ROWTYPE;
	uid uuid;
BEGIN
	UPDATE invitations i SET accepted_at = now()
	WHERE i.token_hash = p_token_hash AND i.accepted_at IS NULL
	    AND i.deleted_at IS NULL AND i.expires_at > now()
	RETURNING * INTO inv;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	SELECT u.id INTO uid FROM users u WHERE u.email = inv.email AND u.deleted_at IS NULL;
	IF uid IS NULL THEN
		IF p_password_hash IS NULL THEN
			RAISE EXCEPTION 'account vanished' USING ERRCODE = '40001';
		END IF;
		INSERT INTO users (email, name, password_hash)
		VALUES (inv.email, coalesce(p_name, ''), p_password_hash)
		RETURNING id INTO uid;
	END IF;
	UPDATE invitations i SET accepted_user_id = uid
	WHERE i.tenant_id = inv.tenant_id AND i.id = inv.id;
	INSERT INTO tenant_memberships AS m (tenant_id, user_id, role)
	VALUES (inv.tenant_id, uid, inv.role)
	ON CONFLICT ON CONSTRAINT tenant_memberships_tenant_id_user_id_key DO UPDATE
	    SET role = CASE WHEN m.deleted_at IS NULL THEN m.role ELSE excluded.role END,
	        deleted_at = NULL, version = m.version + 1;
	INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, target_type,
	    target_id, changes, request_id)
	VALUES (inv.tenant_id, 'user', uid::text, 'invitation.accepted', 'invitation',
	    inv.id::text, jsonb_build_object('role', inv.role), p_request_id);
	RETURN QUERY SELECT uid, inv.tenant_id,
	    (SELECT m.role FROM tenant_memberships m
	     WHERE m.tenant_id = inv.tenant_id AND m.user_id = uid);
END $$;

-- Members of the current tenant (app_tenant()) with their names and
-- addresses: the one read of users a tenant's administrators get, and only
-- for people who belong to their tenant.
CREATE FUNCTION auth_tenant_members(p_after_created timestamptz, p_after_id uuid,
    p_limit int, p_user uuid)
RETURNS TABLE (membership_id uuid, user_id uuid, email text, name text, role text,
    version int, totp_enabled boolean, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT m.id, u.id, u.email::text, u.name, m.role, m.version,
	    EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id
	        AND t.confirmed_at IS NOT NULL), m.created_at
	FROM tenant_memberships m JOIN users u ON u.id = m.user_id
	WHERE m.tenant_id = app_tenant() AND m.deleted_at IS NULL
	    AND (p_user IS NULL OR u.id = p_user)
	    AND (p_after_id IS NULL OR (m.created_at, m.id) > (p_after_created, p_after_id))
	ORDER BY m.created_at, m.id
	LIMIT greatest(least(p_limit, 101), 1)
$$;

-- API keys --------------------------------------------------------------------------

-- A key is presented before anything else is known: this returns which
-- tenant and key it is, ids only; the rest is read under RLS.
CREATE FUNCTION api_key_lookup(p_key_hash bytea)
RETURNS TABLE (tenant_id uuid, key_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT k.tenant_id, k.id FROM api_keys k
	WHERE k.key_hash = p_key_hash AND k.revoked_at IS NULL
$$;

-- Platform administration -------------------------------------------------------------
--
-- Each function takes the acting user and checks, inside, that it is an
-- active platform administrator: a runtime connection alone cannot use
-- them. Every change is audited in the target tenant's audit_log.

CREATE FUNCTION platform_check(p_actor uuid) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	IF NOT auth_is_platform_admin(p_actor) THEN
		RAISE EXCEPTION 'not a platform administrator' USING ERRCODE = '42501';
	END IF;
END $$;

CREATE FUNCTION platform_tenants_list(p_actor uuid, p_status text,
    p_after_created timestamptz, p_after_id uuid, p_limit int)
RETURNS TABLE (id uuid, slug text, name text, status text, plan text,
    timezone text, created_at timestamptz, updated_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	PERFORM platform_check(p_actor);
	RETURN QUERY SELECT t.id, t.slug, p.business_name, t.status, t.plan, p.timezone,
	    t.created_at, t.updated_at
	FROM tenants t LEFT JOIN tenant_profiles p ON p.tenant_id = t.id
	WHERE (p_status IS NULL OR t.status = p_status)
	    AND (p_after_id IS NULL OR (t.created_at, t.id) > (p_after_created, p_after_id))
	ORDER BY t.created_at, t.id
	LIMIT greatest(least(p_limit, 101), 1);
END $$;

CREATE FUNCTION platform_tenant_get(p_actor uuid, p_id uuid)
RETURNS TABLE (id uuid, slug text, name text, status text, plan text,
    timezone text, created_at timestamptz, updated_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	PERFORM platform_check(p_actor);
	RETURN QUERY SELECT t.id, t.slug, p.business_name, t.status, t.plan, p.timezone,
	    t.created_at, t.updated_at
	FROM tenants t LEFT JOIN tenant_profiles p ON p.tenant_id = t.id
	WHERE t.id = p_id;
END $$;

CREATE FUNCTION platform_tenant_create(p_actor uuid, p_slug text, p_name text,
    p_timezone text, p_plan text, p_request_id text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	tid uuid;
BEGIN
	PERFORM platform_check(p_actor);
	INSERT INTO tenants (slug, plan) VALUES (p_slug, p_plan) RETURNING id INTO tid;
	INSERT INTO tenant_profiles (tenant_id, business_name, timezone)
	VALUES (tid, p_name, p_timezone);
	INSERT INTO tenant_branding (tenant_id, display_name) VALUES (tid, left(p_name, 100));
	INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, target_type,
	    target_id, changes, request_id)
	VALUES (tid, 'platform', p_actor::text, 'tenant.created', 'tenant', tid::text,
	    jsonb_build_object('slug', p_slug, 'plan', p_plan), p_request_id);
	RETURN tid;
END $$;

-- status: active | suspended | deleted (soft). Returns the previous status,
-- or NULL when there is no such tenant.
CREATE FUNCTION platform_tenant_set_status(p_actor uuid, p_id uuid, p_status text,
    p_request_id text) RETURNS text
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
	    jsonb_build_object('status', jsonb_build_object('from', old, 'to', p_status)),
	    p_request_id);
	-- A suspended or deleted tenant's support sessions end with it.
	IF p_status <> 'active' THEN
		UPDATE auth_sessions SET revoked_at = now()
		WHERE act_as_tenant_id = p_id AND revoked_at IS NULL;
	END IF;
	RETURN old;
END $$;

CREATE FUNCTION platform_tenant_set_plan(p_actor uuid, p_id uuid, p_plan text,
    p_request_id text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	old text;
BEGIN
	PERFORM platform_check(p_actor);
	SELECT t.plan INTO old FROM tenants t WHERE t.id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE tenants SET plan = p_plan WHERE id = p_id;
	INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, target_type,
	    target_id, changes, request_id)
	VALUES (p_id, 'platform', p_actor::text, 'tenant.plan_overridden', 'tenant',
	    p_id::text, jsonb_build_object('plan', jsonb_build_object('from', old, 'to', p_plan)),
	    p_request_id);
	RETURN old;
END $$;

-- Opens a support session bound to one active tenant, audited there.
CREATE FUNCTION platform_act_as_start(p_actor uuid, p_tenant uuid, p_token_hash bytea,
    p_csrf text, p_minutes int, p_write boolean, p_reason text, p_ip text,
    p_request_id text)
RETURNS TABLE (session_id uuid, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	sid uuid;
	exp timestamptz;
BEGIN
	PERFORM platform_check(p_actor);
	IF NOT EXISTS (SELECT 1 FROM tenants t WHERE t.id = p_tenant AND t.status = 'active') THEN
		RETURN;
	END IF;
	INSERT INTO auth_sessions AS s (user_id, token_hash, csrf_token, expires_at,
	    act_as_tenant_id, act_as_write, act_as_reason, ip)
	VALUES (p_actor, p_token_hash, p_csrf,
	    now() + make_interval(mins => least(greatest(p_minutes, 1), 60)),
	    p_tenant, p_write, p_reason, p_ip)
	RETURNING s.id, s.expires_at INTO sid, exp;
	INSERT INTO audit_log (tenant_id, actor_type, actor_id, on_behalf_of, action,
	    target_type, target_id, changes, request_id)
	VALUES (p_tenant, 'platform', p_actor::text, 'act_as', 'support.act_as_started',
	    'session', sid::text, jsonb_build_object('minutes', p_minutes, 'write', p_write,
	        'reason', p_reason, 'expires_at', exp), p_request_id);
	RETURN QUERY SELECT sid, exp;
END $$;

REVOKE ALL ON FUNCTION auth_is_platform_admin(uuid), platform_check(uuid) FROM PUBLIC;

REVOKE ALL ON FUNCTION
    auth_login_lookup(text), auth_user_profile(uuid), auth_user_memberships(uuid),
    auth_session_create(uuid, bytea, text, int, text),
    auth_session_resolve(bytea, int, int), auth_session_revoke(uuid),
    auth_sessions_revoke_user(uuid),
    auth_totp_get(uuid), auth_totp_begin(uuid, bytea, bytea, text),
    auth_totp_use_step(uuid, bigint), auth_totp_confirm(uuid, bytea[]),
    auth_totp_disable(uuid), auth_recovery_use(uuid, bytea), auth_recovery_remaining(uuid),
    auth_reset_request(text, bytea, int, jsonb), auth_reset_peek(bytea),
    auth_reset_consume(bytea, text),
    auth_invitation_peek(bytea), auth_invitation_accept(bytea, text, text, text),
    auth_tenant_members(timestamptz, uuid, int, uuid),
    api_key_lookup(bytea),
    platform_tenants_list(uuid, text, timestamptz, uuid, int),
    platform_tenant_get(uuid, uuid),
    platform_tenant_create(uuid, text, text, text, text, text),
    platform_tenant_set_status(uuid, uuid, text, text),
    platform_tenant_set_plan(uuid, uuid, text, text),
    platform_act_as_start(uuid, uuid, bytea, text, int, boolean, text, text, text)
FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    auth_login_lookup(text), auth_user_profile(uuid), auth_user_memberships(uuid),
    auth_session_create(uuid, bytea, text, int, text),
    auth_session_resolve(bytea, int, int), auth_session_revoke(uuid),
    auth_sessions_revoke_user(uuid),
    auth_totp_get(uuid), auth_totp_begin(uuid, bytea, bytea, text),
    auth_totp_use_step(uuid, bigint), auth_totp_confirm(uuid, bytea[]),
    auth_totp_disable(uuid), auth_recovery_use(uuid, bytea), auth_recovery_remaining(uuid),
    auth_reset_request(text, bytea, int, jsonb), auth_reset_peek(bytea),
    auth_reset_consume(bytea, text),
    auth_invitation_peek(bytea), auth_invitation_accept(bytea, text, text, text),
    auth_tenant_members(timestamptz, uuid, int, uuid),
    api_key_lookup(bytea),
    platform_tenants_list(uuid, text, timestamptz, uuid, int),
    platform_tenant_get(uuid, uuid),
    platform_tenant_create(uuid, text, text, text, text, text),
    platform_tenant_set_status(uuid, uuid, text, text),
    platform_tenant_set_plan(uuid, uuid, text, text),
    platform_act_as_start(uuid, uuid, bytea, text, int, boolean, text, text, text)
TO receptionist_app;
