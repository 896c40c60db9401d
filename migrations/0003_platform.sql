-- 0003_platform: accounts, audit log, idempotency keys, webhook events and
-- the job queue — the machinery every later module writes through.

-- Accounts are global (one person may work for several tenants); what they
-- may do in a tenant lives in tenant_memberships, which is tenant-owned.
-- The runtime role gets no direct access: sign-in goes through narrow
-- functions added with the auth module.
CREATE TABLE users (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	email citext NOT NULL UNIQUE CHECK (length(email) BETWEEN 3 AND 254),
	name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
	password_hash text NOT NULL,
	platform_role text CHECK (platform_role IN ('PLATFORM_ADMIN')),
	status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz
);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE tenant_memberships (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'VIEWER', 'STAFF',
	    'ORDER_MANAGER', 'ACCOUNTANT')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, user_id)
);
CREATE INDEX tenant_memberships_user ON tenant_memberships (user_id);
SELECT tenant_table_setup('tenant_memberships');

-- Sign-in sessions, keyed by the SHA-256 of the token: the token itself is
-- never stored.
CREATE TABLE auth_sessions (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash bytea NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	revoked_at timestamptz
);
CREATE INDEX auth_sessions_expiry ON auth_sessions (expires_at);
ALTER TABLE auth_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth_sessions FORCE ROW LEVEL SECURITY;

-- Append-only: the runtime role may insert and read, never rewrite history.
CREATE TABLE audit_log (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'service',
	    'ai', 'system', 'platform', 'webhook')),
	actor_id text,
	on_behalf_of text,
	action text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
	target_type text,
	target_id text,
	changes jsonb,
	request_id text,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_recent ON audit_log (tenant_id, created_at DESC, id);
SELECT tenant_table_setup('audit_log');
REVOKE UPDATE, DELETE ON audit_log FROM receptionist_app;

CREATE TABLE idempotency_keys (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	scope text NOT NULL CHECK (length(scope) <= 100),
	key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	request_hash bytea NOT NULL,
	status_code int,
	response_body text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours',
	PRIMARY KEY (tenant_id, scope, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
SELECT tenant_table_setup('idempotency_keys');

-- Provider events, stored before they are processed. The tenant may be
-- unknown when the event arrives (resolved from the payload by the job), so
-- tenant_id may be NULL; such rows are invisible to the runtime role except
-- through webhook_event_ingest().
CREATE TABLE webhook_events (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
	provider text NOT NULL CHECK (provider IN ('stripe', 'meta', 'twilio', 'calcom', 'google')),
	event_id text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 255),
	event_type text NOT NULL DEFAULT '' CHECK (length(event_type) <= 255),
	body_sha256 bytea NOT NULL,
	payload jsonb NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (provider, event_id)
);
CREATE INDEX webhook_events_tenant ON webhook_events (tenant_id, received_at);
ALTER TABLE webhook_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_events USING (tenant_id = app_tenant());
GRANT SELECT ON webhook_events TO receptionist_app;

-- The job queue. tenant_id is NULL for platform jobs (purges); tenant jobs
-- are inserted by the runtime role inside the transaction that causes them,
-- under RLS. Claiming crosses tenants, so it goes through jobs_claim().
CREATE TABLE jobs (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind ~ '^[a-z_]+(\.[a-z_]+)*$'),
	payload jsonb NOT NULL DEFAULT '{}',
	unique_key text CHECK (length(unique_key) <= 255),
	status text NOT NULL DEFAULT 'queued'
	    CHECK (status IN ('queued', 'running', 'done', 'dead')),
	attempts int NOT NULL DEFAULT 0,
	max_attempts int NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 100),
	run_at timestamptz NOT NULL DEFAULT now(),
	locked_until timestamptz,
	locked_by text,
	lease_token uuid,
	last_error text,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz
);
-- One job per (tenant, kind, key): a retried request or a second worker's
-- scheduler cannot enqueue the same work twice. Jobs without a key never
-- collide; NULLS NOT DISTINCT makes platform jobs (NULL tenant) unique too.
CREATE UNIQUE INDEX jobs_unique_key ON jobs (tenant_id, kind, unique_key)
    NULLS NOT DISTINCT WHERE unique_key IS NOT NULL;
CREATE INDEX jobs_ready ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_leased ON jobs (locked_until) WHERE status = 'running';
CREATE INDEX jobs_tenant ON jobs (tenant_id, status, created_at);
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobs USING (tenant_id = app_tenant())
    WITH CHECK (tenant_id = app_tenant());
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
GRANT SELECT, INSERT, UPDATE ON jobs TO receptionist_app;

CREATE FUNCTION notify_jobs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('jobs', '');
	RETURN NULL;
END $$;
CREATE TRIGGER notify_jobs AFTER INSERT ON jobs
    FOR EACH STATEMENT EXECUTE FUNCTION notify_jobs();

-- Claims up to p_limit runnable jobs for one worker: queued jobs that are
-- due, and running jobs whose lease ran out (their worker died). A job whose
-- lease ran out on its last attempt goes dead instead of running again.
CREATE FUNCTION jobs_claim(p_worker text, p_lease_seconds int, p_limit int)
RETURNS TABLE (id bigint, tenant_id uuid, kind text, payload jsonb,
    attempts int, max_attempts int, lease_token uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	UPDATE jobs j SET status = 'dead', finished_at = now(), locked_until = NULL,
	    lease_token = NULL,
	    last_error = coalesce(j.last_error || E'\n', '') || 'lease expired on the last attempt'
	WHERE j.status = 'running' AND j.locked_until < now()
	    AND j.attempts >= j.max_attempts;

	RETURN QUERY
	WITH picked AS (
		SELECT j.id FROM jobs j
		WHERE (j.status = 'queued' AND j.run_at <= now())
		    OR (j.status = 'running' AND j.locked_until < now())
		ORDER BY j.run_at, j.id
		FOR UPDATE SKIP LOCKED
		LIMIT greatest(p_limit, 1)
	)
	UPDATE jobs j SET status = 'running', attempts = j.attempts + 1,
	    locked_by = p_worker,
	    locked_until = now() + make_interval(secs => p_lease_seconds),
	    lease_token = gen_random_uuid()
	FROM picked WHERE j.id = picked.id
	RETURNING j.id, j.tenant_id, j.kind, j.payload, j.attempts,
	    j.max_attempts, j.lease_token;
END $$;

-- Completion and failure require the lease token, so a worker whose lease
-- expired (and whose job another worker took) cannot overwrite the result.
CREATE FUNCTION jobs_complete(p_id bigint, p_token uuid) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	UPDATE jobs SET status = 'done', finished_at = now(), locked_until = NULL,
	    lease_token = NULL, last_error = NULL
	WHERE id = p_id AND lease_token = p_token AND status = 'running'
	RETURNING true
$$;

CREATE FUNCTION jobs_fail(p_id bigint, p_token uuid, p_error text,
    p_backoff_seconds int) RETURNS text
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	UPDATE jobs SET
	    status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
	    finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
	    run_at = now() + make_interval(secs => p_backoff_seconds),
	    locked_until = NULL, lease_token = NULL, last_error = left(p_error, 2000)
	WHERE id = p_id AND lease_token = p_token AND status = 'running'
	RETURNING status
$$;

-- Lets the lease grow while a long job is still making progress.
CREATE FUNCTION jobs_extend(p_id bigint, p_token uuid, p_lease_seconds int)
RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	UPDATE jobs SET locked_until = now() + make_interval(secs => p_lease_seconds)
	WHERE id = p_id AND lease_token = p_token AND status = 'running'
	RETURNING true
$$;

CREATE FUNCTION jobs_enqueue_platform(p_kind text, p_payload jsonb,
    p_unique_key text, p_run_at timestamptz) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
	INSERT INTO jobs (tenant_id, kind, payload, unique_key, run_at)
	VALUES (NULL, p_kind, coalesce(p_payload, '{}'), p_unique_key, coalesce(p_run_at, now()))
	ON CONFLICT DO NOTHING
	RETURNING id
$$;

-- Stores a provider event once. Returns the row id and whether it is new;
-- a redelivered event returns inserted = false and is not processed again.
CREATE FUNCTION webhook_event_ingest(p_provider text, p_event_id text,
    p_tenant uuid, p_type text, p_body_sha256 bytea, p_payload jsonb)
RETURNS TABLE (id bigint, inserted boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	RETURN QUERY
	INSERT INTO webhook_events AS w (provider, event_id, tenant_id, event_type,
	    body_sha256, payload)
	VALUES (p_provider, p_event_id, p_tenant, p_type, p_body_sha256, p_payload)
	ON CONFLICT (provider, event_id) DO NOTHING
	RETURNING w.id, true;
	IF NOT FOUND THEN
		RETURN QUERY SELECT w.id, false FROM webhook_events w
		WHERE w.provider = p_provider AND w.event_id = p_event_id;
	END IF;
END $$;

-- The periodic purge: expired idempotency keys, expired or long-revoked
-- sessions, and finished jobs past their retention. Returns rows removed.
CREATE FUNCTION purge_expired(p_job_retention interval DEFAULT '7 days')
RETURNS TABLE (idempotency_keys bigint, sessions bigint, jobs bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	n_keys bigint;
	n_sessions bigint;
	n_jobs bigint;
BEGIN
	DELETE FROM idempotency_keys k WHERE k.expires_at < now();
	GET DIAGNOSTICS n_keys = ROW_COUNT;
	DELETE FROM auth_sessions s WHERE s.expires_at < now()
	    OR s.revoked_at < now() - interval '1 day';
	GET DIAGNOSTICS n_sessions = ROW_COUNT;
	DELETE FROM jobs j WHERE j.status = 'done'
	    AND j.finished_at < now() - p_job_retention;
	GET DIAGNOSTICS n_jobs = ROW_COUNT;
	RETURN QUERY SELECT n_keys, n_sessions, n_jobs;
END $$;

REVOKE ALL ON FUNCTION jobs_claim(text, int, int), jobs_complete(bigint, uuid),
    jobs_fail(bigint, uuid, text, int), jobs_extend(bigint, uuid, int),
    jobs_enqueue_platform(text, jsonb, text, timestamptz),
    webhook_event_ingest(text, text, uuid, text, bytea, jsonb),
    purge_expired(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION jobs_claim(text, int, int), jobs_complete(bigint, uuid),
    jobs_fail(bigint, uuid, text, int), jobs_extend(bigint, uuid, int),
    jobs_enqueue_platform(text, jsonb, text, timestamptz),
    webhook_event_ingest(text, text, uuid, text, bytea, jsonb),
    purge_expired(interval) TO receptionist_app;
