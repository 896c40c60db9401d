-- 08_jobs: the job queue's SECURITY DEFINER functions, called as the
-- runtime role with no tenant set (a worker serves every tenant).
--
--   jobs_claim     takes due queued jobs and jobs whose lease ran out: marks
--                  them running, counts the attempt, hands out a lease token
--   jobs_complete  / jobs_fail / jobs_extend need that token, so a worker
--                  whose lease expired cannot overwrite the new owner's work
--   jobs_fail      requeues with a backoff, or buries the job ('dead') on
--                  its last attempt, keeping the error
--   uniqueness     one job per (tenant, kind, unique_key), a NULL tenant
--                  (platform job) counting as one value
--
-- SKIP LOCKED needs a second session: see 09_jobs_skip_locked.sql.
-- Job ids 900001.. are fixed here so the assertions can name them; claims
-- are compared on those ids only. The fixture jobs carry distinct unique
-- keys so that they do not depend on how key-less jobs are deduplicated
-- (tested on its own at the end).
BEGIN;
SELECT plan(45);

INSERT INTO tenants (id, slug) VALUES
    ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'tap-alpha'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'tap-bravo');

-- Every claim's rows, by call number.
CREATE TEMP TABLE tap_claims (call int, worker text, id bigint, tenant_id uuid,
    kind text, attempts int, max_attempts int, lease_token uuid);
GRANT ALL ON tap_claims TO receptionist_app;
CREATE FUNCTION pg_temp.claim(p_call int, p_worker text) RETURNS bigint[]
LANGUAGE sql AS $$
	INSERT INTO tap_claims
	SELECT p_call, p_worker, c.id, c.tenant_id, c.kind, c.attempts, c.max_attempts, c.lease_token
	FROM jobs_claim(p_worker, 60, 10) c;
	SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM tap_claims
	WHERE call = p_call AND id BETWEEN 900001 AND 900099;
$$;
CREATE FUNCTION pg_temp.token(p_call int, p_id bigint) RETURNS uuid
LANGUAGE sql AS $$ SELECT lease_token FROM tap_claims WHERE call = p_call AND id = p_id $$;

-- Claiming -----------------------------------------------------------------

INSERT INTO jobs (id, tenant_id, kind, unique_key, payload, run_at) OVERRIDING SYSTEM VALUE VALUES
    (900001, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'email.send', 'tap-1', '{"to": "a@example.test"}', now() - interval '1 minute'),
    (900002, 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'email.send', 'tap-2', '{}', now() + interval '1 hour');

SET LOCAL ROLE receptionist_app;
SELECT is(pg_temp.claim(1, 'w1'), ARRAY[900001::bigint],
    'a worker with no tenant set claims the due job of tenant A, not the one due later');
SELECT results_eq(
    $$ SELECT tenant_id, kind, attempts, max_attempts, lease_token IS NOT NULL FROM tap_claims
       WHERE call = 1 AND id = 900001 $$,
    $$ VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'::uuid, 'email.send', 1, 5, true) $$,
    'the claim returns the job''s tenant, kind, attempt count 1 and a lease token');
RESET ROLE;
SELECT results_eq(
    $$ SELECT status, attempts, locked_by, locked_until = now() + interval '60 seconds',
           lease_token = pg_temp.token(1, 900001)
       FROM jobs WHERE id = 900001 $$,
    $$ VALUES ('running', 1, 'w1', true, true) $$,
    'the claimed job is running, attempt 1, leased to w1 for 60 s under that token');
SELECT is((SELECT status FROM jobs WHERE id = 900002), 'queued',
    'the job due later stays queued');

SET LOCAL ROLE receptionist_app;
SELECT is(pg_temp.claim(2, 'w2'), '{}'::bigint[],
    'a second worker does not get a job whose lease is still running');

-- Completing ---------------------------------------------------------------

SELECT is(jobs_complete(900001, 'deadbeef-0000-4000-8000-000000000000'), NULL,
    'completing with a wrong lease token returns NULL');
RESET ROLE;
SELECT is((SELECT status FROM jobs WHERE id = 900001), 'running',
    'and leaves the job running');
SET LOCAL ROLE receptionist_app;
SELECT is(jobs_complete(900001, pg_temp.token(1, 900001)), true,
    'completing with the lease token returns true');
RESET ROLE;
SELECT results_eq(
    $$ SELECT status, finished_at IS NOT NULL, lease_token IS NULL, locked_until IS NULL
       FROM jobs WHERE id = 900001 $$,
    $$ VALUES ('done', true, true, true) $$,
    'the job is done, finished, and its lease is gone');
SET LOCAL ROLE receptionist_app;
SELECT is(jobs_complete(900001, pg_temp.token(1, 900001)), NULL,
    'completing it again returns NULL');
SELECT is(jobs_fail(900001, pg_temp.token(1, 900001), 'too late', 0), NULL,
    'failing a done job returns NULL');
RESET ROLE;

-- Failing: retry with backoff, then dead on the last attempt ----------------

INSERT INTO jobs (id, tenant_id, kind, unique_key, max_attempts, run_at) OVERRIDING SYSTEM VALUE VALUES
    (900003, NULL, 'purge.expired', 'tap-3', 2, now() - interval '1 minute'),
    (900006, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'calendar.sync', 'tap-6', 5, now() - interval '1 minute');

SET LOCAL ROLE receptionist_app;
SELECT is(pg_temp.claim(3, 'w1'), ARRAY[900003, 900006]::bigint[],
    'a platform job (no tenant) and a tenant job are claimed together');
SELECT is(jobs_fail(900003, 'deadbeef-0000-4000-8000-000000000000', 'x', 0), NULL,
    'failing with a wrong lease token returns NULL');
SELECT is(jobs_fail(900003, pg_temp.token(3, 900003), 'boom 1', 0), 'queued',
    'failing attempt 1 of 2 requeues the job');
SELECT is(jobs_fail(900006, pg_temp.token(3, 900006), 'rate limited', 300), 'queued',
    'failing attempt 1 of 5 with a 300 s backoff requeues the job');
RESET ROLE;
SELECT results_eq(
    $$ SELECT status, attempts, last_error, lease_token IS NULL, finished_at IS NULL
       FROM jobs WHERE id = 900003 $$,
    $$ VALUES ('queued', 1, 'boom 1', true, true) $$,
    'the requeued job keeps its attempt count and error, and has no lease');
SELECT is((SELECT run_at FROM jobs WHERE id = 900006), now() + interval '300 seconds',
    'the backoff moves run_at');

SET LOCAL ROLE receptionist_app;
SELECT is(pg_temp.claim(4, 'w1'), ARRAY[900003::bigint],
    'the job with no backoff is claimed again; the one backing off is not');
SELECT is((SELECT attempts FROM tap_claims WHERE call = 4 AND id = 900003), 2,
    'this is attempt 2');
SELECT is(jobs_fail(900003, pg_temp.token(4, 900003), 'boom 2', 30), 'dead',
    'failing the last attempt makes the job dead');
RESET ROLE;
SELECT results_eq(
    $$ SELECT status, attempts, last_error, finished_at IS NOT NULL, lease_token IS NULL
       FROM jobs WHERE id = 900003 $$,
    $$ VALUES ('dead', 2, 'boom 2', true, true) $$,
    'the dead job keeps the last error and is finished');
SET LOCAL ROLE receptionist_app;
SELECT is(pg_temp.claim(5, 'w1'), '{}'::bigint[],
    'a dead job is never claimed again');
RESET ROLE;

-- A lease that ran out: another worker takes the job over -------------------

INSERT INTO jobs (id, tenant_id, kind, unique_key, status, attempts, max_attempts, locked_by,
    locked_until, lease_token, run_at) OVERRIDING SYSTEM VALUE VALUES
    (900004, 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'email.send', 'tap-4', 'running', 1, 5, 'w-dead',
     now() - interval '1 second', 'a1d00000-0000-4000-8000-000000000000', now() - interval '5 minutes');

SET LOCAL ROLE receptionist_app;
SELECT is(pg_temp.claim(6, 'w2'), ARRAY[900004::bigint],
    'a running job whose lease expired is claimable by another worker');
SELECT results_eq(
    $$ SELECT attempts, lease_token <> 'a1d00000-0000-4000-8000-000000000000' FROM tap_claims
       WHERE call = 6 AND id = 900004 $$,
    $$ VALUES (2, true) $$,
    'the takeover counts a new attempt and issues a new lease token');
SELECT is(jobs_complete(900004, 'a1d00000-0000-4000-8000-000000000000'), NULL,
    'the worker whose lease expired cannot complete the job');
SELECT is(jobs_fail(900004, 'a1d00000-0000-4000-8000-000000000000', 'late', 0), NULL,
    'nor fail it');
SELECT is(jobs_extend(900004, 'a1d00000-0000-4000-8000-000000000000', 600), NULL,
    'nor extend its lease');
SELECT is(jobs_extend(900004, pg_temp.token(6, 900004), 600), true,
    'the new owner can extend its lease');
RESET ROLE;
SELECT results_eq(
    $$ SELECT status, locked_by, locked_until = now() + interval '600 seconds', last_error
       FROM jobs WHERE id = 900004 $$,
    $$ VALUES ('running', 'w2', true, NULL::text) $$,
    'the job runs under w2 with the extended lease, untouched by the old worker');
SET LOCAL ROLE receptionist_app;
SELECT is(jobs_complete(900004, pg_temp.token(6, 900004)), true,
    'the new owner completes it');
RESET ROLE;

-- A lease that ran out on the last attempt: the job goes dead -----------------

INSERT INTO jobs (id, tenant_id, kind, unique_key, status, attempts, max_attempts, locked_by,
    locked_until, lease_token, last_error) OVERRIDING SYSTEM VALUE VALUES
    (900005, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'email.send', 'tap-5', 'running', 3, 3, 'w-dead',
     now() - interval '1 second', 'a1d00000-0000-4000-8000-000000000005', 'timeout');

SET LOCAL ROLE receptionist_app;
SELECT is(pg_temp.claim(7, 'w1'), '{}'::bigint[],
    'an expired lease on the last attempt is not claimed again');
RESET ROLE;
SELECT results_eq(
    $$ SELECT status, attempts, finished_at IS NOT NULL, lease_token IS NULL, last_error
       FROM jobs WHERE id = 900005 $$,
    $$ VALUES ('dead', 3, true, true, E'timeout\nlease expired on the last attempt') $$,
    'it is dead, with its earlier error kept and the reason added');

-- Uniqueness -------------------------------------------------------------------

SET LOCAL ROLE receptionist_app;
SELECT FROM set_config('app.tenant_id', 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', true);
SELECT lives_ok($$ INSERT INTO jobs (tenant_id, kind, unique_key)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'reminder.send', 'booking:1') $$,
    'tenant A enqueues a job with a unique key');
SELECT throws_ok($$ INSERT INTO jobs (tenant_id, kind, unique_key)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'reminder.send', 'booking:1') $$,
    '23505', NULL, 'the same (tenant, kind, unique_key) again is refused (23505)');
SELECT lives_ok($$ INSERT INTO jobs (tenant_id, kind, unique_key)
    VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'reminder.cancel', 'booking:1') $$,
    'the same key under another kind is fine');
SELECT FROM set_config('app.tenant_id', 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', true);
SELECT lives_ok($$ INSERT INTO jobs (tenant_id, kind, unique_key)
    VALUES ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'reminder.send', 'booking:1') $$,
    'the same kind and key for tenant B is fine');

-- Jobs without a unique key are never duplicates of each other: a tenant
-- sends many emails.
SELECT lives_ok($$ INSERT INTO jobs (tenant_id, kind) VALUES
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'email.send'),
    ('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', 'email.send') $$,
    'two jobs of one kind without a unique key can be enqueued for a tenant');
SELECT FROM set_config('app.tenant_id', '', true);

SELECT isnt(jobs_enqueue_platform('purge.expired', '{}', 'tap:2030-01-01T00', NULL), NULL,
    'jobs_enqueue_platform enqueues a platform job');
SELECT is(jobs_enqueue_platform('purge.expired', '{}', 'tap:2030-01-01T00', NULL), NULL,
    'the same platform (kind, unique_key) again is skipped: NULL');
SELECT isnt(jobs_enqueue_platform('purge.expired', '{}', 'tap:2030-01-01T01', NULL), NULL,
    'another key of the same kind is enqueued');
SELECT isnt(jobs_enqueue_platform('tap.keyless', '{"n": 1}', NULL, NULL), NULL,
    'a platform job without a unique key is enqueued');
SELECT isnt(jobs_enqueue_platform('tap.keyless', '{"n": 2}', NULL, NULL), NULL,
    'and a second one of the same kind without a key is enqueued too');
RESET ROLE;

SELECT is((SELECT count(*) FROM jobs WHERE tenant_id IS NULL AND kind = 'purge.expired'
    AND unique_key = 'tap:2030-01-01T00'), 1::bigint,
    'exactly one platform job holds that key');
SELECT throws_ok($$ INSERT INTO jobs (tenant_id, kind, unique_key)
    VALUES (NULL, 'purge.expired', 'tap:2030-01-01T00') $$,
    '23505', NULL, 'NULL tenants count as equal: a duplicate platform job is refused (23505)');
SELECT isnt(
    (SELECT min(run_at) FROM jobs WHERE kind = 'purge.expired' AND unique_key = 'tap:2030-01-01T00'),
    NULL, 'jobs_enqueue_platform defaults run_at to now');

SELECT * FROM finish();
ROLLBACK;
