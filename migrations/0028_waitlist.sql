-- 0028_waitlist.sql — the waitlist (issue 12): customers waiting for a
-- service on a day (or part of it), and the offers of freed slots made to
-- them.
--
-- No trigger here: the booking service enqueues "waitlist.slot_freed" in
-- the transaction that cancels or moves a booking (it knows the old time,
-- which a trigger on booking_items would have to reconstruct), and the
-- waitlist module registers the handler. An offer only invites; the
-- booking itself goes through the normal booking path, whose exclusion
-- constraints decide who gets a slot two people confirm at once.

CREATE TABLE waitlist_entries (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	service_id uuid NOT NULL,
	-- Tenant-local date, and the part of it the customer can come:
	-- morning before 12:00, afternoon 12:00–17:00, evening from 17:00.
	day date NOT NULL,
	part_of_day text NOT NULL DEFAULT 'any' CHECK (part_of_day IN ('any', 'morning',
	    'afternoon', 'evening')),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	email citext CHECK (length(email) BETWEEN 3 AND 254),
	phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
	-- How offers reach them: e-mail, or SMS (which needs their consent).
	channel text NOT NULL CHECK (channel IN ('email', 'sms')),
	source text NOT NULL DEFAULT 'portal' CHECK (source IN ('portal', 'widget', 'ai', 'admin',
	    'api')),
	status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'booked', 'cancelled',
	    'expired')),
	-- The key a "leave the waitlist" link proves, hashed like every token.
	leave_token_hash bytea NOT NULL CHECK (length(leave_token_hash) = 32),
	booking_id uuid,
	-- Set when the customer's data was erased: name, e-mail and phone are
	-- gone, the row stays so "slots refilled" still counts what it brought.
	erased_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, leave_token_hash),
	FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id),
	FOREIGN KEY (tenant_id, booking_id) REFERENCES bookings (tenant_id, id),
	CHECK (erased_at IS NOT NULL OR channel <> 'email' OR email IS NOT NULL),
	CHECK (erased_at IS NOT NULL OR channel <> 'sms' OR phone IS NOT NULL),
	CHECK (erased_at IS NULL OR (email IS NULL AND phone IS NULL AND status <> 'waiting'))
);
-- One waiting entry per person, service and day: joining twice is a 409.
CREATE UNIQUE INDEX waitlist_entries_once ON waitlist_entries (tenant_id, service_id, day,
    (coalesce(lower(email::text), phone))) WHERE status = 'waiting';
-- Who is next for a slot: waiting entries of a service and day, in order.
CREATE INDEX waitlist_entries_queue ON waitlist_entries (tenant_id, service_id, day, created_at, id)
    WHERE status = 'waiting';
CREATE INDEX waitlist_entries_list ON waitlist_entries (tenant_id, created_at DESC, id);
SELECT tenant_table_setup('waitlist_entries');

CREATE TABLE waitlist_offers (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	entry_id uuid NOT NULL,
	-- The freed slot: "<booking id>:v<version>:<item position>" of the
	-- change that freed it, so a slot is offered to a person once.
	slot_key text NOT NULL CHECK (length(slot_key) BETWEEN 1 AND 100),
	service_id uuid NOT NULL,
	staff_id uuid NOT NULL,
	starts_at timestamptz NOT NULL,
	token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
	-- open: the person's turn; passed: their turn ended and the next person
	-- was asked (they may still take it while it is free); accepting: they
	-- pressed the button and the booking is being made (never told the slot
	-- went meanwhile); booked: theirs; gone: someone else's, or no longer
	-- free; cancelled: they left.
	status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'passed', 'accepting',
	    'booked', 'gone', 'cancelled')),
	expires_at timestamptz NOT NULL,
	answered_at timestamptz,
	booking_id uuid,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, token_hash),
	UNIQUE (tenant_id, slot_key, entry_id),
	FOREIGN KEY (tenant_id, entry_id) REFERENCES waitlist_entries (tenant_id, id)
	    ON DELETE CASCADE,
	FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id),
	FOREIGN KEY (tenant_id, staff_id) REFERENCES staff (tenant_id, id),
	FOREIGN KEY (tenant_id, booking_id) REFERENCES bookings (tenant_id, id)
);
CREATE INDEX waitlist_offers_slot ON waitlist_offers (tenant_id, slot_key);
CREATE INDEX waitlist_offers_entry ON waitlist_offers (tenant_id, entry_id);
-- "Slots refilled": the admin's summary reads booked offers only.
CREATE INDEX waitlist_offers_booked ON waitlist_offers (tenant_id, booking_id)
    WHERE status = 'booked';
SELECT tenant_table_setup('waitlist_offers');
