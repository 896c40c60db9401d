-- 0030_scheduling_stamp.sql — a counter per tenant that every change to
-- what availability is computed from moves forward, so `serve` can keep a
-- tenant's scheduling configuration (settings, services, add-ons, staff and
-- their skills, schedules, time off, resources, hours, closures) in memory
-- and still never compute from a stale one: each availability request and
-- booking reads the counter in the same round trip as its claims and
-- reloads the configuration when it moved. NOTIFY alone is not enough here:
-- it arrives a moment after the commit, and a booking must never see a
-- schedule older than the one the admin was just told is saved.
CREATE TABLE scheduling_stamps (
	tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
	stamp bigint NOT NULL DEFAULT 1
);
ALTER TABLE scheduling_stamps ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduling_stamps FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduling_stamps USING (tenant_id = app_tenant())
    WITH CHECK (tenant_id = app_tenant());
GRANT SELECT ON scheduling_stamps TO receptionist_app;

-- Row triggers: one upsert per changed row of the tenant. SECURITY DEFINER
-- (the owner bypasses row-level security) because the runtime role may only
-- read the stamps; the tenant comes from the changed row, never from the
-- caller.
CREATE FUNCTION scheduling_stamp_bump() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	-- Not for a tenant being deleted (its rows go by cascade, after it).
	INSERT INTO scheduling_stamps AS s (tenant_id)
	    SELECT t.id FROM tenants t WHERE t.id = COALESCE(NEW.tenant_id, OLD.tenant_id)
	    ON CONFLICT (tenant_id) DO UPDATE SET stamp = s.stamp + 1;
	RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION scheduling_stamp_bump() FROM PUBLIC;

DO $$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['tenant_profiles', 'tenant_policies', 'scheduling_settings',
	    'services', 'service_addons', 'staff', 'staff_services', 'staff_schedules',
	    'staff_time_off', 'resources', 'resource_services', 'business_hours', 'closures'] LOOP
		EXECUTE format('CREATE TRIGGER scheduling_stamp AFTER INSERT OR UPDATE OR DELETE'
		    ' ON %I FOR EACH ROW EXECUTE FUNCTION scheduling_stamp_bump()', t);
	END LOOP;
END $$;
