-- 0002_tenants: tenants, their public profile, branding, hours and domains.

CREATE TABLE tenants (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	slug text NOT NULL UNIQUE
	    CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
	status text NOT NULL DEFAULT 'active'
	    CHECK (status IN ('active', 'suspended', 'deleted')),
	plan text NOT NULL DEFAULT 'free'
	    CHECK (plan IN ('free', 'basic', 'pro', 'enterprise')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz
);
-- The tenants row is its own tenant: it is visible only inside its own
-- tenant context, like every other tenant-owned row.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants USING (id = app_tenant())
    WITH CHECK (id = app_tenant());
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
-- Slug, status and plan are the platform's to change (operator commands,
-- billing webhooks), never a tenant's: the runtime role may only read.
GRANT SELECT ON tenants TO receptionist_app;

-- IANA names only (not POSIX strings like 'foo5bar', which PostgreSQL
-- would accept but ICU would not), so local-time maths never fails later.
CREATE FUNCTION is_iana_zone(z text) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = z)
$$;

CREATE TABLE tenant_profiles (
	tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
	business_name text NOT NULL CHECK (length(business_name) BETWEEN 1 AND 200),
	timezone text NOT NULL DEFAULT 'America/New_York',
	phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
	email citext CHECK (length(email) <= 254),
	website_url text CHECK (length(website_url) <= 2048),
	address_line1 text CHECK (length(address_line1) <= 200),
	address_line2 text CHECK (length(address_line2) <= 200),
	city text CHECK (length(city) <= 100),
	region text CHECK (length(region) <= 100),
	postal_code text CHECK (length(postal_code) <= 20),
	country text NOT NULL DEFAULT 'US' CHECK (country ~ '^[A-Z]{2}$'),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT timezone_known CHECK (is_iana_zone(timezone))
);
SELECT tenant_table_setup('tenant_profiles');

CREATE TABLE tenant_branding (
	tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
	display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
	primary_color text NOT NULL DEFAULT '#2563eb' CHECK (primary_color ~ '^#[0-9a-fA-F]{6}$'),
	accent_color text NOT NULL DEFAULT '#1e40af' CHECK (accent_color ~ '^#[0-9a-fA-F]{6}$'),
	logo_url text CHECK (logo_url ~ '^https://' AND length(logo_url) <= 2048),
	voice_style text NOT NULL DEFAULT 'friendly'
	    CHECK (voice_style IN ('friendly', 'professional', 'playful', 'concise')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT tenant_table_setup('tenant_branding');

-- Several intervals per weekday (e.g. 09:00-12:00 and 13:00-17:00), in the
-- tenant's local time. weekday follows ISO 8601: 1 = Monday .. 7 = Sunday.
CREATE TABLE business_hours (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	opens time NOT NULL,
	closes time NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	CHECK (opens < closes),
	-- Intervals of one day never overlap.
	EXCLUDE USING gist (tenant_id WITH =, weekday WITH =,
	    tsrange('2000-01-01'::date + opens, '2000-01-01'::date + closes) WITH &&)
);
CREATE INDEX business_hours_day ON business_hours (tenant_id, weekday, opens);
SELECT tenant_table_setup('business_hours');

CREATE TABLE closures (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	day date NOT NULL,
	reason text CHECK (length(reason) <= 200),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, day)
);
SELECT tenant_table_setup('closures');

CREATE TABLE tenant_domains (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	hostname text NOT NULL
	    CHECK (hostname = lower(hostname) AND length(hostname) <= 253
	        AND hostname ~ '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$'),
	kind text NOT NULL CHECK (kind IN ('subdomain', 'custom')),
	verification_state text NOT NULL DEFAULT 'pending'
	    CHECK (verification_state IN ('pending', 'verified', 'failed')),
	verification_token text NOT NULL DEFAULT encode(gen_random_bytes(16), 'hex'),
	verified_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	PRIMARY KEY (tenant_id, id)
);
-- A host name is claimed only once it resolves (subdomain or verified), so
-- a tenant cannot block another's domain by adding it and never verifying.
CREATE UNIQUE INDEX tenant_domains_live_hostname ON tenant_domains (hostname)
    WHERE deleted_at IS NULL AND (kind = 'subdomain' OR verification_state = 'verified');
CREATE UNIQUE INDEX tenant_domains_tenant_hostname ON tenant_domains (tenant_id, hostname)
    WHERE deleted_at IS NULL;
SELECT tenant_table_setup('tenant_domains');

CREATE TABLE widget_origins (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	origin text NOT NULL CHECK (origin ~ '^https?://[a-z0-9.-]+(:[0-9]{1,5})?$'),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, origin)
);
SELECT tenant_table_setup('widget_origins');

CREATE TRIGGER notify_tenant_changed AFTER INSERT OR UPDATE OR DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed();
CREATE TRIGGER notify_tenant_changed AFTER INSERT OR UPDATE OR DELETE ON tenant_profiles
    FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed();
CREATE TRIGGER notify_tenant_changed AFTER INSERT OR UPDATE OR DELETE ON tenant_branding
    FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed();
CREATE TRIGGER notify_tenant_changed AFTER INSERT OR UPDATE OR DELETE ON business_hours
    FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed();
CREATE TRIGGER notify_tenant_changed AFTER INSERT OR UPDATE OR DELETE ON closures
    FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed();
CREATE TRIGGER notify_tenant_changed AFTER INSERT OR UPDATE OR DELETE ON tenant_domains
    FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed();
CREATE TRIGGER notify_tenant_changed AFTER INSERT OR UPDATE OR DELETE ON widget_origins
    FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed();

-- Tenant resolution happens before any tenant is known, so it cannot run
-- under RLS. These functions are the only cross-tenant reads the runtime
-- role has, and they return an id, a status and a plan, nothing else.
CREATE FUNCTION tenant_resolve_host(p_host text)
RETURNS TABLE (tenant_id uuid, status text, plan text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT t.id, t.status, t.plan
	FROM tenant_domains d JOIN tenants t ON t.id = d.tenant_id
	WHERE d.hostname = lower(p_host) AND d.deleted_at IS NULL
	    AND (d.kind = 'subdomain' OR d.verification_state = 'verified')
$$;

CREATE FUNCTION tenant_resolve_ref(p_ref text)
RETURNS TABLE (tenant_id uuid, status text, plan text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
	SELECT t.id, t.status, t.plan FROM tenants t
	-- CASE, not AND: SQL does not promise to skip the cast for a slug.
	WHERE t.slug = lower(p_ref)
	    OR t.id = CASE WHEN p_ref ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
	        THEN p_ref::uuid END
$$;
REVOKE ALL ON FUNCTION tenant_resolve_host(text), tenant_resolve_ref(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_resolve_host(text), tenant_resolve_ref(text) TO receptionist_app;
