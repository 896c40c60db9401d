-- 09_jobs_skip_locked: two workers claiming at the same time never get the
-- same job, and the second is not held up by the first (FOR UPDATE SKIP
-- LOCKED in jobs_claim).
--
-- This needs two real sessions with committed rows, which a test inside one
-- rolled-back transaction cannot provide, so the workers are two dblink
-- connections to this same database (as the same superuser, over the
-- server's own socket). Their rows are committed: they carry the kind
-- 'tap.skip_locked', are deleted at the end, and leftovers of an aborted run
-- are deleted at the start. Their run_at lies in 2000, so they come first in
-- claim order and each claim (limit 1) takes one of them, not other jobs.
BEGIN;
SELECT plan(6);

CREATE SCHEMA tap_dblink;
CREATE EXTENSION IF NOT EXISTS dblink SCHEMA tap_dblink;
SET LOCAL search_path = public, tap_dblink;

SELECT FROM set_config('tap.conn', format('dbname=%s user=%s port=%s host=%s',
    current_database(), current_user, current_setting('port'),
    coalesce(nullif(trim(split_part(current_setting('unix_socket_directories'), ',', 1)), ''),
        'localhost')), true);
SELECT FROM dblink_connect('tap_w1', current_setting('tap.conn'));
SELECT FROM dblink_connect('tap_w2', current_setting('tap.conn'));

-- A lock wait turns into an error after 5 s instead of hanging the suite;
-- without SKIP LOCKED the second claim would wait for the first.
SELECT FROM dblink_exec('tap_w1', $$SET lock_timeout = '5s'$$);
SELECT FROM dblink_exec('tap_w2', $$SET lock_timeout = '5s'$$);

SELECT FROM dblink_exec('tap_w1', $$DELETE FROM jobs WHERE kind = 'tap.skip_locked'$$);
SELECT FROM dblink_exec('tap_w1', $$INSERT INTO jobs (kind, unique_key, run_at) VALUES
    ('tap.skip_locked', 'first', '2000-01-01 00:00:00+00'),
    ('tap.skip_locked', 'second', '2000-01-01 00:01:00+00')$$);

CREATE TEMP TABLE tap_jobs AS
    SELECT * FROM dblink('tap_w1', $$SELECT id, unique_key FROM jobs
        WHERE kind = 'tap.skip_locked'$$) AS t(id bigint, unique_key text);

SELECT FROM dblink_exec('tap_w1', 'SET ROLE receptionist_app');
SELECT FROM dblink_exec('tap_w2', 'SET ROLE receptionist_app');

-- Worker 2 claims inside an open transaction: its claim holds the row lock.
SELECT FROM dblink_exec('tap_w2', 'BEGIN');
CREATE TEMP TABLE tap_w2_claim AS
    SELECT * FROM dblink('tap_w2', $$SELECT id, attempts FROM jobs_claim('tap-w2', 60, 1)$$, false)
        AS t(id bigint, attempts int);

-- Worker 1 claims while worker 2's transaction is still open.
CREATE TEMP TABLE tap_w1_claim AS
    SELECT * FROM dblink('tap_w1', $$SELECT id, attempts FROM jobs_claim('tap-w1', 60, 1)$$, false)
        AS t(id bigint, attempts int);
SELECT is(dblink_error_message('tap_w1'), 'OK',
    'worker 1''s claim does not wait for worker 2''s lock (no lock timeout)');

SELECT is(ARRAY(SELECT j.unique_key FROM tap_w2_claim c JOIN tap_jobs j USING (id)),
    ARRAY['first'], 'worker 2 claims the first job in order');
SELECT is(ARRAY(SELECT j.unique_key FROM tap_w1_claim c JOIN tap_jobs j USING (id)),
    ARRAY['second'], 'worker 1 skips the job worker 2 holds and claims the next one');

SELECT FROM dblink_exec('tap_w2', 'COMMIT');

SELECT results_eq(
    $$ SELECT * FROM dblink('tap_w1', 'RESET ROLE; SELECT unique_key, status, attempts, locked_by
           FROM jobs WHERE kind = ''tap.skip_locked'' ORDER BY unique_key')
       AS t(unique_key text, status text, attempts int, locked_by text) $$,
    $$ VALUES ('first', 'running', 1, 'tap-w2'), ('second', 'running', 1, 'tap-w1') $$,
    'each job runs once, under the worker that claimed it');

-- Worker 2 is done with the first job; worker 1 cannot complete it with its
-- own token, only worker 2's token works.
SELECT is(
    (SELECT ok FROM dblink('tap_w1', format('SELECT jobs_complete(%s, lease_token)
        FROM jobs WHERE locked_by = %L AND kind = %L', (SELECT id FROM tap_w2_claim), 'tap-w1',
        'tap.skip_locked')) AS t(ok boolean)),
    NULL, 'a worker''s token does not complete the other worker''s job');
SELECT is(
    (SELECT ok FROM dblink('tap_w1', format('SELECT jobs_complete(id, lease_token)
        FROM jobs WHERE locked_by = %L AND kind = %L', 'tap-w2', 'tap.skip_locked'))
        AS t(ok boolean)),
    true, 'the owning worker''s token does');

SELECT FROM dblink_exec('tap_w1', $$DELETE FROM jobs WHERE kind = 'tap.skip_locked'$$);
SELECT FROM dblink_disconnect('tap_w1');
SELECT FROM dblink_disconnect('tap_w2');

SELECT * FROM finish();
ROLLBACK;
