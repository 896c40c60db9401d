-- 80_distribution: the schema stays distributable by tenant (the Citus
-- model, docs/operations.md "Past one database").
--
-- Every table is one of three kinds:
--   distributed  has tenant_id NOT NULL; its rows live on the tenant's shard.
--                Citus enforces a primary key or unique index per shard, so
--                each must contain tenant_id; a foreign key to another
--                distributed table must pair tenant_id with tenant_id (both
--                rows on one shard); any other foreign key must target a
--                reference table.
--   reference    copied whole to every node: a few small, rarely written
--                tables every shard joins or that are read before a tenant
--                is known (tenants, users, the host name registry). They
--                reference only each other.
--   local        stays on the coordinator: the platform's sessions, queues
--                and bookkeeping. jobs and webhook_events carry a tenant_id
--                that may be NULL (platform jobs, events before their tenant
--                is known), which a distribution column cannot be.
-- Platform tables (no tenant_id) and the exceptions among tenant tables are
-- listed here by name, so a new table fails this test until someone
-- decides where it lives. Everything with tenant_id NOT NULL is checked
-- from the catalogs, including indexes made with CREATE UNIQUE INDEX.
BEGIN;
SELECT plan(16);

CREATE TEMP TABLE tap_placement (name text PRIMARY KEY, placement text NOT NULL);
INSERT INTO tap_placement VALUES
    -- platform tables: no tenant_id
    ('tenants', 'reference'),
    ('users', 'reference'),
    ('auth_sessions', 'local'),
    ('auth_tokens', 'local'),
    ('user_totp', 'local'),
    ('user_recovery_codes', 'local'),
    ('platform_outbox', 'local'),
    -- rows the retention job deleted, per table, across tenants (metrics)
    ('retention_totals', 'local'),
    ('schema_migrations', 'local'),
    -- tenant tables that are not distributed
    ('jobs', 'local'),
    ('webhook_events', 'local'),
    -- host name -> tenant, unique across tenants, read before the tenant is
    -- known: a reference table
    ('tenant_domains', 'reference'),
    -- SMS number -> tenant, the same for inbound texts (0021_sms)
    ('sms_numbers', 'reference');

-- Every table of the schema, with its tenant_id column if any.
CREATE TEMP VIEW tap_tables AS
SELECT c.oid AS rel, c.relname::text AS name, a.attnum AS tenant_col,
    a.attnotnull AS tenant_not_null, a.atttypid AS tenant_type
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
    AND NOT a.attisdropped
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition;

CREATE TEMP VIEW tap_kind AS
SELECT t.*, coalesce(p.placement, 'distributed') AS kind
FROM tap_tables t LEFT JOIN tap_placement p ON p.name = t.name;

CREATE TEMP VIEW tap_dist AS SELECT * FROM tap_kind WHERE kind = 'distributed';

-- Offenders, one row per problem, named so a failure says what to fix.
CREATE TEMP VIEW tap_unique_without_tenant AS
SELECT format('%s: %s', d.name, pg_get_indexdef(i.indexrelid)) AS what
FROM tap_dist d JOIN pg_index i ON i.indrelid = d.rel
WHERE i.indisunique AND NOT (d.tenant_col = ANY (i.indkey::int2[]));

CREATE TEMP VIEW tap_exclusion_without_tenant AS
SELECT format('%s.%s', d.name, con.conname) AS what
FROM tap_dist d JOIN pg_constraint con ON con.conrelid = d.rel
WHERE con.contype = 'x' AND NOT (d.tenant_col = ANY (con.conkey));

-- Distributed -> distributed: the key pairs tenant_id with tenant_id.
CREATE TEMP VIEW tap_fk_unpaired AS
SELECT format('%s.%s', child.name, con.conname) AS what
FROM pg_constraint con
JOIN tap_dist child ON child.rel = con.conrelid
JOIN tap_dist parent ON parent.rel = con.confrelid
WHERE con.contype = 'f' AND NOT EXISTS (
    SELECT 1 FROM unnest(con.conkey, con.confkey) AS k(child_col, parent_col)
    WHERE k.child_col = child.tenant_col AND k.parent_col = parent.tenant_col);

-- Foreign keys a Citus cluster cannot keep: distributed -> local,
-- reference -> distributed or local, local -> distributed.
CREATE TEMP VIEW tap_fk_bad_placement AS
SELECT format('%s.%s (%s -> %s %s)', child.name, con.conname, child.kind, parent.kind,
    parent.name) AS what
FROM pg_constraint con
JOIN tap_kind child ON child.rel = con.conrelid
JOIN tap_kind parent ON parent.rel = con.confrelid
WHERE con.contype = 'f' AND NOT (
    (child.kind = 'distributed' AND parent.kind IN ('distributed', 'reference'))
    OR (child.kind = 'reference' AND parent.kind = 'reference')
    OR (child.kind = 'local' AND parent.kind IN ('reference', 'local')));

-- The classification --------------------------------------------------------

SELECT is(
    ARRAY(SELECT name FROM tap_tables WHERE tenant_col IS NULL
        EXCEPT SELECT name FROM tap_placement ORDER BY 1),
    '{}'::text[],
    'every table without tenant_id is a platform table listed here (new ones must be classified)');

SELECT is(
    ARRAY(SELECT name FROM tap_placement EXCEPT SELECT name FROM tap_tables ORDER BY 1),
    '{}'::text[],
    'every table listed here exists');

SELECT is(
    ARRAY(SELECT name FROM tap_tables WHERE tenant_col IS NOT NULL AND NOT tenant_not_null
        EXCEPT SELECT name FROM tap_placement WHERE placement = 'local' ORDER BY 1),
    '{}'::text[],
    'a table whose tenant_id may be NULL is a local table listed here');

SELECT is(
    ARRAY(SELECT name FROM tap_dist WHERE tenant_type <> 'uuid'::regtype ORDER BY 1),
    '{}'::text[],
    'tenant_id is uuid everywhere (co-located shards need one column type)');

-- Guards the catalog queries: an empty set would pass every check below.
SELECT cmp_ok((SELECT count(*) FROM tap_dist), '>=', 30::bigint,
    'most of the schema is distributed');
SELECT is(
    ARRAY(SELECT unnest(ARRAY['bookings', 'customers', 'conversations', 'messages',
        'services', 'staff', 'audit_log', 'api_keys', 'invitations', 'tenant_memberships'])
        EXCEPT SELECT name FROM tap_dist),
    '{}'::text[],
    'the business tables are among the distributed ones');

-- The rules ---------------------------------------------------------------------

SELECT is(
    ARRAY(SELECT d.name FROM tap_dist d WHERE NOT EXISTS (
        SELECT 1 FROM pg_constraint con WHERE con.conrelid = d.rel AND con.contype = 'p'
            AND d.tenant_col = ANY (con.conkey)) ORDER BY 1),
    '{}'::text[],
    'every distributed table has a primary key that includes tenant_id');

SELECT is(ARRAY(SELECT what FROM tap_unique_without_tenant ORDER BY 1), '{}'::text[],
    'every unique constraint and unique index of a distributed table includes tenant_id');

SELECT is(ARRAY(SELECT what FROM tap_exclusion_without_tenant ORDER BY 1), '{}'::text[],
    'every exclusion constraint of a distributed table includes tenant_id');

SELECT is(ARRAY(SELECT what FROM tap_fk_unpaired ORDER BY 1), '{}'::text[],
    'every foreign key between distributed tables pairs tenant_id with tenant_id');

SELECT is(ARRAY(SELECT what FROM tap_fk_bad_placement ORDER BY 1), '{}'::text[],
    'no foreign key crosses placements a cluster cannot keep');

SELECT is(
    ARRAY(SELECT format('%s.%s', d.name, con.conname) FROM tap_dist d
        JOIN pg_constraint con ON con.conrelid = d.rel AND con.contype = 'f'
        WHERE con.confrelid = 'public.tenants'::regclass
            AND con.conkey <> ARRAY[d.tenant_col] ORDER BY 1),
    '{}'::text[],
    'a distributed table references tenants through tenant_id alone');

-- The checks catch what they claim to -----------------------------------------
-- Tables built here the way a careless migration would (rolled back below).

CREATE TABLE public.tap_parent (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    email text NOT NULL UNIQUE,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (id)
);
CREATE UNIQUE INDEX tap_parent_email_live ON public.tap_parent (lower(email));
CREATE TABLE public.tap_child (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL PRIMARY KEY,
    parent_id uuid REFERENCES public.tap_parent (id),
    session_id uuid REFERENCES auth_sessions (id)
);

SELECT is(
    ARRAY(SELECT what FROM tap_unique_without_tenant WHERE what LIKE 'tap_%' ORDER BY 1),
    ARRAY['tap_child: CREATE UNIQUE INDEX tap_child_pkey ON public.tap_child USING btree (id)',
        'tap_parent: CREATE UNIQUE INDEX tap_parent_email_key ON public.tap_parent USING btree (email)',
        'tap_parent: CREATE UNIQUE INDEX tap_parent_email_live ON public.tap_parent USING btree (lower(email))',
        'tap_parent: CREATE UNIQUE INDEX tap_parent_id_key ON public.tap_parent USING btree (id)'],
    'a primary key, a UNIQUE constraint and a unique index without tenant_id are caught');

SELECT is(ARRAY(SELECT what FROM tap_fk_unpaired WHERE what LIKE 'tap_%'),
    ARRAY['tap_child.tap_child_parent_id_fkey'],
    'a foreign key between tenant tables without tenant_id is caught');

SELECT is(ARRAY(SELECT what FROM tap_fk_bad_placement WHERE what LIKE 'tap_%'),
    ARRAY['tap_child.tap_child_session_id_fkey (distributed -> local auth_sessions)'],
    'a foreign key from a tenant table to a local platform table is caught');

CREATE TABLE public.tap_unlisted (id uuid PRIMARY KEY);
SELECT is(
    ARRAY(SELECT name FROM tap_tables WHERE tenant_col IS NULL
        EXCEPT SELECT name FROM tap_placement),
    ARRAY['tap_unlisted'],
    'a new table without tenant_id and not classified is caught');

SELECT * FROM finish();
ROLLBACK;
