-- 0005_business: what the business tells the receptionist — services and
-- their add-ons, staff with their skills, weekly schedules and time off,
-- resources (rooms, chairs, equipment) and the services that need them,
-- FAQs, policies and AI settings — plus a version on every row the admin
-- API edits, for optimistic concurrency (If-Match).
--
-- The scheduling engine and the AI read these tables directly, so the
-- database enforces what they rely on: composite keys and foreign keys that
-- include tenant_id (a row can never name another tenant's row), no
-- overlapping weekly intervals per staff member, ranges mirrored from the C
-- validation. Every table that the public pages or the AI read notifies
-- tenant_changed, so caches drop stale copies at once.

-- Versions ---------------------------------------------------------------------

-- The database, not the application, moves the version: an UPDATE that
-- forgot it (or tried to set it) still ends one higher than it started.
CREATE FUNCTION bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.version := OLD.version + 1;
	RETURN NEW;
END $$;

-- tenant_table_setup plus the version trigger and, when the public pages or
-- the AI read the table, the cache-invalidation trigger.
CREATE FUNCTION business_table_setup(tbl regclass, notify boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM tenant_table_setup(tbl);
	EXECUTE format('CREATE TRIGGER bump_version BEFORE UPDATE ON %s'
	    ' FOR EACH ROW EXECUTE FUNCTION bump_version()', tbl);
	IF notify THEN
		EXECUTE format('CREATE TRIGGER notify_tenant_changed'
		    ' AFTER INSERT OR UPDATE OR DELETE ON %s'
		    ' FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed()', tbl);
	END IF;
END $$;

-- The tables of 0002 get versions too (their notify triggers exist).
ALTER TABLE tenant_profiles ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE tenant_branding ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE business_hours ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE closures ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE tenant_domains ADD COLUMN version int NOT NULL DEFAULT 1;
ALTER TABLE widget_origins ADD COLUMN version int NOT NULL DEFAULT 1;
CREATE TRIGGER bump_version BEFORE UPDATE ON tenant_profiles
    FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE TRIGGER bump_version BEFORE UPDATE ON tenant_branding
    FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE TRIGGER bump_version BEFORE UPDATE ON business_hours
    FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE TRIGGER bump_version BEFORE UPDATE ON closures
    FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE TRIGGER bump_version BEFORE UPDATE ON tenant_domains
    FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE TRIGGER bump_version BEFORE UPDATE ON widget_origins
    FOR EACH ROW EXECUTE FUNCTION bump_version();

-- An origin removed (soft-deleted) may be added again: uniqueness holds
-- among live rows only.
ALTER TABLE widget_origins DROP CONSTRAINT widget_origins_tenant_id_origin_key;
CREATE UNIQUE INDEX widget_origins_live_origin ON widget_origins (tenant_id, origin)
    WHERE deleted_at IS NULL;

-- The admin list filters and sorts of the 0002/0003 tables.
CREATE INDEX closures_day ON closures (tenant_id, day, id);
CREATE INDEX tenant_domains_list ON tenant_domains (tenant_id, created_at, id);
CREATE INDEX widget_origins_list ON widget_origins (tenant_id, origin, id);
CREATE INDEX audit_log_action ON audit_log (tenant_id, action, created_at DESC, id);
CREATE INDEX audit_log_target ON audit_log (tenant_id, target_type, target_id, created_at DESC, id);
CREATE INDEX audit_log_actor ON audit_log (tenant_id, actor_id, created_at DESC, id);

-- A text[] of at most max_items non-empty items of at most max_len
-- characters each (the "never do" list, keywords, tags).
CREATE FUNCTION text_array_ok(a text[], max_items int, max_len int) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT a IS NULL OR (cardinality(a) <= max_items AND coalesce(array_ndims(a), 1) = 1
	    AND NOT EXISTS (SELECT 1 FROM unnest(a) x
	        WHERE x IS NULL OR length(x) NOT BETWEEN 1 AND max_len))
$$;

-- Services and add-ons ---------------------------------------------------------

CREATE TABLE services (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
	description text CHECK (length(description) <= 2000),
	duration_minutes int NOT NULL CHECK (duration_minutes BETWEEN 5 AND 720),
	price_minor int NOT NULL CHECK (price_minor BETWEEN 0 AND 1000000000),
	currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	buffer_before_minutes int NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 240),
	buffer_after_minutes int NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 240),
	active boolean NOT NULL DEFAULT true,
	sort_order int NOT NULL DEFAULT 0 CHECK (sort_order BETWEEN 0 AND 1000000),
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	PRIMARY KEY (tenant_id, id)
);
-- Two live services with one name would leave the receptionist guessing.
CREATE UNIQUE INDEX services_live_name ON services (tenant_id, lower(name))
    WHERE deleted_at IS NULL;
CREATE INDEX services_list ON services (tenant_id, sort_order, name, id);
CREATE INDEX services_by_name ON services (tenant_id, name, id);
SELECT business_table_setup('services', true);

CREATE TABLE service_addons (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	service_id uuid NOT NULL,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
	price_minor int NOT NULL DEFAULT 0 CHECK (price_minor BETWEEN 0 AND 1000000000),
	currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
	duration_minutes int NOT NULL DEFAULT 0 CHECK (duration_minutes BETWEEN 0 AND 240),
	active boolean NOT NULL DEFAULT true,
	sort_order int NOT NULL DEFAULT 0 CHECK (sort_order BETWEEN 0 AND 1000000),
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX service_addons_live_name ON service_addons (tenant_id, service_id, lower(name))
    WHERE deleted_at IS NULL;
CREATE INDEX service_addons_list ON service_addons (tenant_id, service_id, sort_order, name, id);
SELECT business_table_setup('service_addons', true);

-- FAQs and policies ---------------------------------------------------------------

CREATE TABLE faqs (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	question text NOT NULL CHECK (length(question) BETWEEN 1 AND 500),
	answer text NOT NULL CHECK (length(answer) BETWEEN 1 AND 5000),
	active boolean NOT NULL DEFAULT true,
	sort_order int NOT NULL DEFAULT 0 CHECK (sort_order BETWEEN 0 AND 1000000),
	tags text[] NOT NULL DEFAULT '{}' CHECK (text_array_ok(tags, 20, 50)),
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX faqs_list ON faqs (tenant_id, sort_order, created_at, id);
CREATE INDEX faqs_created ON faqs (tenant_id, created_at, id);
CREATE INDEX faqs_tags ON faqs USING gin (tags);
SELECT business_table_setup('faqs', true);

-- One row per tenant (created with the tenant, below).
CREATE TABLE tenant_policies (
	tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
	cancellation_policy text CHECK (length(cancellation_policy) <= 2000),
	late_policy text CHECK (length(late_policy) <= 2000),
	no_show_policy text CHECK (length(no_show_policy) <= 2000),
	payment_policy text CHECK (length(payment_policy) <= 2000),
	-- Customers may cancel or reschedule up to this many hours before the
	-- start (0: any time before it).
	cancellation_window_hours int NOT NULL DEFAULT 0
	    CHECK (cancellation_window_hours BETWEEN 0 AND 720),
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT business_table_setup('tenant_policies', true);

-- Staff ------------------------------------------------------------------------

CREATE TABLE staff (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
	email citext CHECK (length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
	phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
	active boolean NOT NULL DEFAULT true,
	-- A login of this tenant (its membership), so a STAFF user sees their
	-- own schedule. Losing the membership unlinks, it does not delete.
	user_id uuid,
	color text CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, user_id) REFERENCES tenant_memberships (tenant_id, user_id)
	    ON DELETE SET NULL (user_id)
);
CREATE UNIQUE INDEX staff_live_email ON staff (tenant_id, email)
    WHERE deleted_at IS NULL AND email IS NOT NULL;
CREATE UNIQUE INDEX staff_live_user ON staff (tenant_id, user_id)
    WHERE deleted_at IS NULL AND user_id IS NOT NULL;
CREATE INDEX staff_list ON staff (tenant_id, display_name, id);
SELECT business_table_setup('staff', true);

-- Which services each staff member performs (their skills).
CREATE TABLE staff_services (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	staff_id uuid NOT NULL,
	service_id uuid NOT NULL,
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, staff_id, service_id),
	FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id) ON DELETE CASCADE,
	FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX staff_services_service ON staff_services (tenant_id, service_id);
SELECT business_table_setup('staff_services', true);

-- Weekly working intervals in the tenant's local time; weekday is ISO 8601
-- (1 = Monday .. 7 = Sunday), as in business_hours.
CREATE TABLE staff_schedules (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	staff_id uuid NOT NULL,
	weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	starts time NOT NULL,
	ends time NOT NULL,
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id) ON DELETE CASCADE,
	CHECK (starts < ends),
	-- One person's intervals of one day never overlap.
	EXCLUDE USING gist (tenant_id WITH =, staff_id WITH =, weekday WITH =,
	    tsrange('2000-01-01'::date + starts, '2000-01-01'::date + ends) WITH &&)
);
CREATE INDEX staff_schedules_day ON staff_schedules (tenant_id, staff_id, weekday, starts);
SELECT business_table_setup('staff_schedules', true);

CREATE TABLE staff_time_off (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	staff_id uuid NOT NULL,
	starts_at timestamptz NOT NULL,
	ends_at timestamptz NOT NULL,
	reason text CHECK (length(reason) <= 200),
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id) ON DELETE CASCADE,
	CHECK (ends_at > starts_at),
	CHECK (ends_at - starts_at <= interval '366 days')
);
CREATE INDEX staff_time_off_list ON staff_time_off (tenant_id, staff_id, starts_at, id);
-- "Is this person off during [a, b)?" for the availability engine.
CREATE INDEX staff_time_off_range ON staff_time_off
    USING gist (tenant_id, staff_id, tstzrange(starts_at, ends_at));
SELECT business_table_setup('staff_time_off', true);

-- Resources --------------------------------------------------------------------

CREATE TABLE resources (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
	kind text NOT NULL DEFAULT 'other' CHECK (kind IN ('room', 'chair', 'equipment', 'other')),
	-- Identical units (3 chairs): bookings take units, never more than this.
	quantity int NOT NULL DEFAULT 1 CHECK (quantity BETWEEN 1 AND 100),
	active boolean NOT NULL DEFAULT true,
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX resources_live_name ON resources (tenant_id, lower(name))
    WHERE deleted_at IS NULL;
CREATE INDEX resources_list ON resources (tenant_id, name, id);
SELECT business_table_setup('resources', true);

-- Which services need a resource, and how many of its units at once.
CREATE TABLE resource_services (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	resource_id uuid NOT NULL,
	service_id uuid NOT NULL,
	quantity_needed int NOT NULL DEFAULT 1 CHECK (quantity_needed BETWEEN 1 AND 100),
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, resource_id, service_id),
	FOREIGN KEY (tenant_id, resource_id) REFERENCES resources (tenant_id, id) ON DELETE CASCADE,
	FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX resource_services_service ON resource_services (tenant_id, service_id);
SELECT business_table_setup('resource_services', true);

-- AI settings ------------------------------------------------------------------

-- One row per tenant (created with the tenant, below).
CREATE TABLE ai_settings (
	tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
	tone text NOT NULL DEFAULT 'friendly'
	    CHECK (tone IN ('friendly', 'professional', 'playful', 'concise')),
	greeting text CHECK (length(greeting) <= 500),
	escalation_rules text CHECK (length(escalation_rules) <= 2000),
	never_do text[] NOT NULL DEFAULT '{}' CHECK (text_array_ok(never_do, 50, 200)),
	allow_human_handoff boolean NOT NULL DEFAULT true,
	handoff_keywords text[] NOT NULL DEFAULT '{}' CHECK (text_array_ok(handoff_keywords, 50, 100)),
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT business_table_setup('ai_settings', true);

-- Every tenant has its policies and AI settings rows from the start, so
-- readers (the AI, the booking rules) never have to invent defaults. Runs
-- as the owner: whoever creates the tenant need not be in its context.
CREATE FUNCTION tenant_business_defaults() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	INSERT INTO tenant_policies (tenant_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
	INSERT INTO ai_settings (tenant_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
	RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION tenant_business_defaults() FROM PUBLIC;
CREATE TRIGGER business_defaults AFTER INSERT ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenant_business_defaults();
INSERT INTO tenant_policies (tenant_id) SELECT id FROM tenants;
INSERT INTO ai_settings (tenant_id) SELECT id FROM tenants;
