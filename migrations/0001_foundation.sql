-- 0001_foundation: helpers every tenant table relies on.
--
-- Runs as receptionist_owner. The extensions (pgcrypto, citext, btree_gist)
-- are created by the cluster's superuser before migrations run, because
-- only a superuser may create them.

-- The tenant of the current transaction, or NULL when none is set. The
-- setting is transaction-local (set_config(..., true)), so a pooled
-- connection never carries one tenant's id into another's request.
-- An empty or malformed setting yields NULL, and NULL matches no row.
CREATE FUNCTION app_tenant() RETURNS uuid
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
	v text := current_setting('app.tenant_id', true);
BEGIN
	IF v IS NULL OR v = '' THEN
		RETURN NULL;
	END IF;
	RETURN v::uuid;
EXCEPTION WHEN invalid_text_representation THEN
	RETURN NULL;
END $$;

-- Keeps updated_at honest without trusting every UPDATE to remember it.
CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END $$;

-- Tells every `serve` instance that something its tenant cache holds has
-- changed, so the change is visible at once everywhere.
CREATE FUNCTION notify_tenant_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	tid uuid;
BEGIN
	IF TG_TABLE_NAME = 'tenants' THEN
		tid := COALESCE(NEW.id, OLD.id);
	ELSIF TG_OP = 'DELETE' THEN
		tid := OLD.tenant_id;
	ELSE
		tid := NEW.tenant_id;
	END IF;
	PERFORM pg_notify('tenant_changed', COALESCE(tid::text, ''));
	RETURN NULL;
END $$;

-- Applies the house rules to a tenant-owned table in one call, so no table
-- can be created with RLS forgotten: enable + force row-level security, one
-- policy on app_tenant(), and the updated_at trigger when the column exists.
CREATE FUNCTION tenant_table_setup(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
	EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
	EXECUTE format('CREATE POLICY tenant_isolation ON %s USING (tenant_id = app_tenant())'
	    ' WITH CHECK (tenant_id = app_tenant())', tbl);
	IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = tbl
	    AND attname = 'updated_at' AND NOT attisdropped) THEN
		EXECUTE format('CREATE TRIGGER touch_updated_at BEFORE UPDATE ON %s'
		    ' FOR EACH ROW EXECUTE FUNCTION touch_updated_at()', tbl);
	END IF;
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO receptionist_app', tbl);
END $$;
