-- 0032_waitlist_retention.sql — the retention job removes the waitlist's
-- past: entries for a day long gone (expired, booked elsewhere, left) and
-- the offers made to them (docs/operations.md, "Retention").
--
-- What goes: an entry whose day (in the business's zone) is more than
-- p_days past, with its offers, unless the entry brought a booking that
-- still exists: that booking is what "slots refilled" and "revenue
-- recovered" count, so it and its offers stay while the booking does, and
-- go after the booking itself is purged with its customer (the customers
-- rule, 12–60 months). The functions run as the caller (the runtime role,
-- under row-level security) and inside the transaction's tenant only.

-- A booking the customers rule deletes must not be held by the waitlist
-- row that led to it (0028 declared these references without an action,
-- so such a delete failed and the tenant's whole retention run with it):
-- the link is cleared, the row stays until its own rule removes it.
ALTER TABLE waitlist_entries DROP CONSTRAINT waitlist_entries_tenant_id_booking_id_fkey,
    ADD CONSTRAINT waitlist_entries_tenant_id_booking_id_fkey FOREIGN KEY (tenant_id, booking_id)
    REFERENCES bookings (tenant_id, id) ON DELETE SET NULL (booking_id);
ALTER TABLE waitlist_offers DROP CONSTRAINT waitlist_offers_tenant_id_booking_id_fkey,
    ADD CONSTRAINT waitlist_offers_tenant_id_booking_id_fkey FOREIGN KEY (tenant_id, booking_id)
    REFERENCES bookings (tenant_id, id) ON DELETE SET NULL (booking_id);

-- The current tenant's entries past retention (ids), at most p_limit.
CREATE FUNCTION retention_waitlist_past(p_days int, p_limit int) RETURNS SETOF uuid
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
	SELECT e.id FROM waitlist_entries e
	WHERE e.tenant_id = app_tenant()
	    AND e.day < (now() AT TIME ZONE coalesce((SELECT p.timezone FROM tenant_profiles p
	        WHERE p.tenant_id = app_tenant()), 'UTC'))::date - p_days
	    AND e.booking_id IS NULL
	    AND NOT EXISTS (SELECT 1 FROM waitlist_offers o WHERE o.tenant_id = e.tenant_id
	        AND o.entry_id = e.id AND o.booking_id IS NOT NULL)
	ORDER BY e.day, e.id
	LIMIT greatest(p_limit, 0)
$$;

-- Offers first (children before parents, so each table's count is its
-- own): those of entries past retention, at most p_limit.
CREATE FUNCTION retention_purge_waitlist_offers(p_days int, p_limit int) RETURNS bigint
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE n bigint;
BEGIN
	DELETE FROM waitlist_offers o WHERE o.tenant_id = app_tenant() AND o.id IN (
	    SELECT o2.id FROM waitlist_offers o2
	    WHERE o2.tenant_id = app_tenant()
	        AND o2.entry_id IN (SELECT retention_waitlist_past(p_days, 2147483647))
	    LIMIT greatest(p_limit, 0));
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;

-- Then the entries past retention that have no offer left.
CREATE FUNCTION retention_purge_waitlist_entries(p_days int, p_limit int) RETURNS bigint
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE n bigint;
BEGIN
	DELETE FROM waitlist_entries e WHERE e.tenant_id = app_tenant() AND e.id IN (
	    SELECT x FROM retention_waitlist_past(p_days, 2147483647) x
	    WHERE NOT EXISTS (SELECT 1 FROM waitlist_offers o WHERE o.tenant_id = app_tenant()
	        AND o.entry_id = x)
	    LIMIT greatest(p_limit, 0));
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END $$;

REVOKE ALL ON FUNCTION retention_waitlist_past(int, int), retention_purge_waitlist_offers(int, int),
    retention_purge_waitlist_entries(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION retention_waitlist_past(int, int),
    retention_purge_waitlist_offers(int, int), retention_purge_waitlist_entries(int, int)
    TO receptionist_app;
