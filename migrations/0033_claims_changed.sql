-- 0033_claims_changed.sql — every change to the claims on a tenant's time
-- tells the `serve` processes, which keep the claims availability reads in
-- memory (tenants_cache.c): the payload is the tenant id, and PostgreSQL
-- sends identical notifications of one transaction once, at its commit, so
-- a booking of two claims costs one. (The process that made the change
-- also drops its own copy right after its commit; this is how the others
-- learn of it.)
CREATE FUNCTION claims_changed_notify() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
	PERFORM pg_notify('claims_changed', COALESCE(NEW.tenant_id, OLD.tenant_id)::text);
	RETURN NULL;
END $$;

CREATE TRIGGER claims_changed AFTER INSERT OR UPDATE OR DELETE ON slot_claims
    FOR EACH ROW EXECUTE FUNCTION claims_changed_notify();
