-- 05_cross_tenant_fk: a row can never point at another tenant's row.
--
-- Tenant-owned tables have PRIMARY KEY (tenant_id, id) and foreign keys that
-- include tenant_id, so the reference itself (not only RLS) rules out a row
-- of tenant A naming a row of tenant B. Checked over the catalogs for every
-- foreign key, on the real tables, and on a parent/child pair built here the
-- way migrations build tables.
BEGIN;
SELECT plan(19);

INSERT INTO tenants (id, slug) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo');
INSERT INTO users (id, email, password_hash) VALUES
    ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'tap-owner@example.test', 'x');

-- Foreign keys out of tenant tables that could cross tenants: one to
-- tenants that is not (tenant_id) -> tenants (id), or one to another tenant
-- table that does not pair tenant_id with tenant_id. (Keys to global tables
-- such as users are fine: those rows belong to no tenant.)
CREATE TEMP VIEW tap_bad_fks AS
WITH tt AS (
    SELECT c.oid AS rel, a.attnum AS tenant_col
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
)
SELECT format('%s.%s', con.conrelid::regclass, con.conname) AS fk
FROM pg_constraint con
JOIN tt child ON child.rel = con.conrelid
LEFT JOIN tt parent ON parent.rel = con.confrelid
WHERE con.contype = 'f' AND (
    (con.confrelid = 'public.tenants'::regclass
        AND (con.conkey, con.confkey) IS DISTINCT FROM (ARRAY[child.tenant_col],
            ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = 'public.tenants'::regclass
                AND attname = 'id')]))
    OR (parent.rel IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM unnest(con.conkey, con.confkey) AS k(child_col, parent_col)
        WHERE k.child_col = child.tenant_col AND k.parent_col = parent.tenant_col)));

-- The catalog checks -------------------------------------------------------

SELECT is(ARRAY(SELECT fk FROM tap_bad_fks ORDER BY 1), '{}'::text[],
    'every foreign key between tenant tables includes tenant_id = tenant_id, '
    'and every key to tenants is (tenant_id) -> tenants (id)');

SELECT is(
    ARRAY(SELECT c.relname::text FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
            AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                WHERE con.conrelid = c.oid AND con.contype = 'f'
                    AND con.confrelid = 'public.tenants'::regclass
                    AND con.conkey = ARRAY[a.attnum])
        ORDER BY 1),
    '{}'::text[],
    'every table with tenant_id references tenants (id) through it');

SELECT is(
    ARRAY(SELECT c.relname::text FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = pk.conkey[1]
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
            AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.oid
                AND t.attname = 'tenant_id' AND NOT t.attisdropped)
            AND a.attname <> 'tenant_id'
            -- rows without a tenant: a bigint identity key is their only key
            AND c.relname NOT IN ('jobs', 'webhook_events')
        ORDER BY 1),
    '{}'::text[],
    'every tenant table''s primary key starts with tenant_id');

-- The real tables ------------------------------------------------------------

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);

SELECT throws_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 1, '09:00', '10:00') $$, '42501', NULL,
    'tenant A cannot write business hours that name tenant B');
SELECT throws_ok($$ INSERT INTO tenant_memberships (tenant_id, user_id, role)
    VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'OWNER') $$,
    '42501', NULL, 'tenant A cannot make a user a member of tenant B');
SELECT lives_ok($$ INSERT INTO tenant_memberships (tenant_id, user_id, role)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'OWNER') $$,
    'tenant A can make an existing (global) user its member');
SELECT throws_ok($$ INSERT INTO tenant_memberships (tenant_id, user_id, role)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', 'VIEWER') $$,
    '23503', NULL, 'a membership for a user that does not exist is refused (23503)');

RESET ROLE;

-- Without RLS in the way (superuser), the key still refuses a tenant_id
-- that names no tenant.
SELECT throws_ok($$ INSERT INTO business_hours (tenant_id, weekday, opens, closes)
    VALUES ('99999999-9999-4999-8999-999999999999', 1, '09:00', '10:00') $$, '23503', NULL,
    'business hours for a tenant that does not exist are refused (23503)');
SELECT throws_ok($$ INSERT INTO closures (tenant_id, day)
    VALUES ('99999999-9999-4999-8999-999999999999', '2031-01-01') $$, '23503', NULL,
    'a closure for a tenant that does not exist is refused (23503)');

-- A parent/child pair built the way migrations build tables ----------------

SET LOCAL ROLE receptionist_owner;
CREATE TABLE tap_parent (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	name text NOT NULL,
	PRIMARY KEY (tenant_id, id)
);
SELECT tenant_table_setup('tap_parent');
CREATE TABLE tap_child (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	parent_id uuid NOT NULL,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, parent_id) REFERENCES tap_parent (tenant_id, id)
);
SELECT tenant_table_setup('tap_child');
RESET ROLE;

INSERT INTO tap_parent (tenant_id, id, name) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-00000000000a', 'A''s parent'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-00000000000b', 'B''s parent');

SELECT is(ARRAY(SELECT fk FROM tap_bad_fks ORDER BY 1), '{}'::text[],
    'the catalog check accepts a child keyed on (tenant_id, parent_id)');

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);

SELECT lives_ok($$ INSERT INTO tap_child (tenant_id, id, parent_id) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'a0000000-0000-4000-8000-0000000000c1',
     'a0000000-0000-4000-8000-00000000000a') $$,
    'tenant A can attach a child to its own parent');
SELECT throws_ok($$ INSERT INTO tap_child (tenant_id, parent_id) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'b0000000-0000-4000-8000-00000000000b') $$,
    '23503', NULL, 'a child of tenant A pointing at tenant B''s parent is refused (23503)');
SELECT throws_ok($$ UPDATE tap_child SET parent_id = 'b0000000-0000-4000-8000-00000000000b'
    WHERE id = 'a0000000-0000-4000-8000-0000000000c1' $$,
    '23503', NULL, 're-pointing A''s child at tenant B''s parent is refused (23503)');
SELECT throws_ok($$ INSERT INTO tap_child (tenant_id, parent_id) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'b0000000-0000-4000-8000-00000000000b') $$,
    '42501', NULL, 'tenant A cannot write a child under tenant B either (42501)');

RESET ROLE;

-- As the superuser RLS does not apply at all: the composite key alone is
-- what stops the cross-tenant reference.
SELECT throws_ok($$ INSERT INTO tap_child (tenant_id, parent_id) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'b0000000-0000-4000-8000-00000000000b') $$,
    '23503', NULL, 'even without RLS, the key refuses A''s child under B''s parent (23503)');
SELECT is((SELECT count(*) FROM tap_child), 1::bigint,
    'only the legitimate child exists');

-- The pattern the rule exists to forbid: a key on parent_id alone. The
-- catalog check must flag it, and it really does let A point into B.
SET LOCAL ROLE receptionist_owner;
ALTER TABLE tap_parent ADD UNIQUE (id);
CREATE TABLE tap_bad_child (
	tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
	id uuid NOT NULL DEFAULT gen_random_uuid(),
	parent_id uuid NOT NULL CONSTRAINT tap_bad_child_parent_fkey REFERENCES tap_parent (id),
	PRIMARY KEY (tenant_id, id)
);
SELECT tenant_table_setup('tap_bad_child');
RESET ROLE;

SELECT is(ARRAY(SELECT fk FROM tap_bad_fks ORDER BY 1),
    ARRAY['tap_bad_child.tap_bad_child_parent_fkey'],
    'the catalog check flags a foreign key that leaves tenant_id out');

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);
SELECT lives_ok($$ INSERT INTO tap_bad_child (tenant_id, parent_id) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'b0000000-0000-4000-8000-00000000000b') $$,
    'with such a key, a row of A can point at B''s row: why the check exists');
RESET ROLE;

SELECT is(ARRAY(SELECT fk FROM tap_bad_fks WHERE fk NOT LIKE 'tap\_%' ORDER BY 1), '{}'::text[],
    'the tables from the migrations are still clean');

SELECT * FROM finish();
ROLLBACK;
