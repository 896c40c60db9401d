-- 0006_scheduling: customers, bookings, holds, and the claims that make
-- double booking impossible in the database itself.

CREATE TABLE customers (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	email citext CHECK (length(email) BETWEEN 3 AND 254),
	-- The e-mail as lookups compare it. Under RLS only leakproof operators
	-- may use an index ahead of the tenant policy, and citext's = is not
	-- (text's is): a lookup by email would read every customer of the
	-- tenant.
	email_key text GENERATED ALWAYS AS (lower(email::text)) STORED,
	phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
	sms_consent boolean NOT NULL DEFAULT false,
	sms_consent_at timestamptz,
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	deleted_at timestamptz,
	PRIMARY KEY (tenant_id, id),
	-- A customer is reachable somehow, or we could not confirm anything.
	CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
-- Upserts find the customer by e-mail, then by phone, within the tenant.
CREATE UNIQUE INDEX customers_email ON customers (tenant_id, email_key)
    WHERE email IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX customers_phone ON customers (tenant_id, phone)
    WHERE phone IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX customers_list ON customers (tenant_id, created_at DESC, id);
SELECT business_table_setup('customers', false);

CREATE TABLE bookings (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	-- Short and readable over the phone (no 0/O, 1/I/L): "K7M4QX".
	reference text NOT NULL CHECK (reference ~ '^[2-9A-HJKMNP-Z]{6}$'),
	customer_id uuid NOT NULL,
	status text NOT NULL DEFAULT 'CONFIRMED' CHECK (status IN ('PENDING', 'CONFIRMED',
	    'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'NO_SHOW')),
	source text NOT NULL CHECK (source IN ('portal', 'widget', 'ai', 'admin', 'api',
	    'phone', 'sms', 'whatsapp', 'instagram', 'messenger')),
	starts_at timestamptz NOT NULL,
	ends_at timestamptz NOT NULL,
	notes text CHECK (length(notes) <= 2000),
	total_minor int NOT NULL DEFAULT 0 CHECK (total_minor >= 0),
	currency text CHECK (currency ~ '^[A-Z]{3}$'),
	cancelled_at timestamptz,
	cancel_reason text CHECK (length(cancel_reason) <= 500),
	-- Set when the calendar side deleted the event: a person must look.
	needs_review boolean NOT NULL DEFAULT false,
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, reference),
	FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
	CHECK (ends_at > starts_at)
);
CREATE INDEX bookings_by_time ON bookings (tenant_id, starts_at, id);
CREATE INDEX bookings_by_customer ON bookings (tenant_id, customer_id, starts_at DESC);
CREATE INDEX bookings_by_status ON bookings (tenant_id, status, starts_at);
-- Plan limits count bookings made this month.
CREATE INDEX bookings_by_created ON bookings (tenant_id, created_at);
SELECT business_table_setup('bookings', false);

-- One row per service in the booking (bundles are booked back to back).
CREATE TABLE booking_items (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	booking_id uuid NOT NULL,
	position smallint NOT NULL CHECK (position BETWEEN 0 AND 9),
	service_id uuid NOT NULL,
	staff_id uuid NOT NULL,
	addon_ids uuid[] NOT NULL DEFAULT '{}',
	starts_at timestamptz NOT NULL,
	ends_at timestamptz NOT NULL,
	price_minor int NOT NULL DEFAULT 0 CHECK (price_minor >= 0),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, booking_id, position),
	FOREIGN KEY (tenant_id, booking_id) REFERENCES bookings (tenant_id, id) ON DELETE CASCADE,
	FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id),
	FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id),
	CHECK (ends_at > starts_at)
);
CREATE INDEX booking_items_staff_day ON booking_items (tenant_id, staff_id, starts_at);
SELECT tenant_table_setup('booking_items');

-- A hold keeps a slot for a customer mid-conversation. The caller proves
-- it is theirs with a token we store hashed.
CREATE TABLE holds (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	token_hash bytea NOT NULL,
	starts_at timestamptz NOT NULL,
	ends_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	-- What is held, so the booking that consumes the hold can prove it
	-- asks for the same thing: [{"service_id", "addon_ids", "staff_id"}]
	-- in bundle order.
	items jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(items) = 'array'),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, token_hash),
	CHECK (ends_at > starts_at)
);
CREATE INDEX holds_expiry ON holds (expires_at);
SELECT tenant_table_setup('holds');

-- The claims. Every booking item and every hold claims its staff member
-- and the resource units its service needs, over its time plus buffers.
-- The exclusion constraints below make two overlapping claims on one staff
-- member, or on one unit of a resource, impossible whatever the
-- application checked first: a concurrent second booking fails with 23P01.
-- Cancelling deletes the claims (the booking row keeps its history);
-- an expired hold's claims are deleted by whoever needs the time next.
CREATE TABLE slot_claims (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	booking_id uuid,
	hold_id uuid,
	staff_id uuid,
	resource_id uuid,
	unit smallint CHECK (unit BETWEEN 1 AND 100),
	during tstzrange NOT NULL CHECK (NOT isempty(during)),
	-- The range's bounds again, for reading by time under RLS: a policy's
	-- quals must run before any operator that is not leakproof, and range
	-- overlap (&&) is not, so an index on during cannot narrow a read;
	-- timestamptz comparisons are leakproof and can.
	starts_at timestamptz GENERATED ALWAYS AS (lower(during)) STORED,
	ends_at timestamptz GENERATED ALWAYS AS (upper(during)) STORED,
	expires_at timestamptz,		/* holds only */
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, booking_id) REFERENCES bookings (tenant_id, id) ON DELETE CASCADE,
	FOREIGN KEY (tenant_id, hold_id) REFERENCES holds (tenant_id, id) ON DELETE CASCADE,
	FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id),
	FOREIGN KEY (tenant_id, resource_id) REFERENCES resources (tenant_id, id),
	CHECK ((booking_id IS NULL) <> (hold_id IS NULL)),
	CHECK ((hold_id IS NULL) = (expires_at IS NULL)),
	CHECK ((staff_id IS NULL) <> (resource_id IS NULL)),
	CHECK ((resource_id IS NULL) = (unit IS NULL)),
	EXCLUDE USING gist (tenant_id WITH =, staff_id WITH =, during WITH &&)
	    WHERE (staff_id IS NOT NULL),
	EXCLUDE USING gist (tenant_id WITH =, resource_id WITH =, unit WITH =, during WITH &&)
	    WHERE (resource_id IS NOT NULL)
);
CREATE INDEX slot_claims_booking ON slot_claims (tenant_id, booking_id);
-- Availability reads every claim of the tenant over a date range, staff
-- and resource claims alike, in order of start: thousands of rows for a
-- month of a busy business, so the index carries what is read (an
-- index-only scan skips a heap visit per row).
CREATE INDEX slot_claims_starts ON slot_claims (tenant_id, starts_at)
    INCLUDE (ends_at, staff_id, resource_id, unit, booking_id, hold_id, expires_at);
CREATE INDEX slot_claims_hold ON slot_claims (tenant_id, hold_id);
CREATE INDEX slot_claims_expired ON slot_claims (expires_at) WHERE expires_at IS NOT NULL;
SELECT tenant_table_setup('slot_claims');

-- Calendar sync state per booking and provider.
CREATE TABLE booking_calendar_events (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	booking_id uuid NOT NULL,
	provider text NOT NULL CHECK (provider IN ('google', 'calcom')),
	external_id text CHECK (length(external_id) <= 1024),
	state text NOT NULL DEFAULT 'pending'
	    CHECK (state IN ('pending', 'synced', 'failed', 'deleted_remote')),
	last_error text CHECK (length(last_error) <= 2000),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, booking_id, provider),
	FOREIGN KEY (tenant_id, booking_id) REFERENCES bookings (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX booking_calendar_events_external
    ON booking_calendar_events (tenant_id, provider, external_id) WHERE external_id IS NOT NULL;
SELECT tenant_table_setup('booking_calendar_events');

-- app_tenant() (0001) catches a malformed setting in an EXCEPTION block,
-- which opens a subtransaction, and a parallel worker cannot: a parallel
-- plan over any tenant table fails with "cannot start subtransactions
-- during a parallel operation" (seen here on slot_claims once it grew).
-- Restricted, it runs in the leader only and the plans stay valid.
ALTER FUNCTION app_tenant() PARALLEL RESTRICTED;

-- Scheduling settings: one row per tenant (created with the tenant, below).
-- The engine's knobs that the issue leaves to the business.
CREATE TABLE scheduling_settings (
	tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
	-- No booking starts sooner than this after "now".
	min_notice_minutes int NOT NULL DEFAULT 60
	    CHECK (min_notice_minutes BETWEEN 0 AND 527040),
	-- The last bookable local date is today + this many days.
	max_days_ahead int NOT NULL DEFAULT 60 CHECK (max_days_ahead BETWEEN 0 AND 3660),
	-- Slots start every this many minutes from each opening time.
	slot_step_minutes int NOT NULL DEFAULT 15 CHECK (slot_step_minutes BETWEEN 5 AND 240),
	-- How long POST /v1/public/holds keeps a slot.
	hold_minutes int NOT NULL DEFAULT 5 CHECK (hold_minutes BETWEEN 1 AND 60),
	version int NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
SELECT business_table_setup('scheduling_settings', true);

CREATE FUNCTION tenant_scheduling_defaults() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	INSERT INTO scheduling_settings (tenant_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
	RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION tenant_scheduling_defaults() FROM PUBLIC;
CREATE TRIGGER scheduling_defaults AFTER INSERT ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenant_scheduling_defaults();
INSERT INTO scheduling_settings (tenant_id) SELECT id FROM tenants;

-- The periodic purge also removes holds an hour past their expiry (their
-- claims go with them; until then, expired claims are ignored by readers
-- and deleted by whoever needs the time). The purge defined so far is
-- kept under another name and called first, so whatever earlier
-- migrations made it purge, it still does.
ALTER FUNCTION purge_expired(interval) RENAME TO purge_expired_before_holds;
REVOKE ALL ON FUNCTION purge_expired_before_holds(interval) FROM PUBLIC, receptionist_app;
CREATE FUNCTION purge_expired(p_job_retention interval DEFAULT '7 days')
RETURNS TABLE (idempotency_keys bigint, sessions bigint, jobs bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	DELETE FROM holds h WHERE h.expires_at < now() - interval '1 hour';
	RETURN QUERY SELECT * FROM purge_expired_before_holds(p_job_retention);
END $$;
REVOKE ALL ON FUNCTION purge_expired(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_expired(interval) TO receptionist_app;
