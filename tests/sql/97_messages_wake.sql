-- 97_messages_wake: migration 0034 — the job that wakes the sender never
-- runs before the message it wakes is due (a job that ran early found
-- nothing, finished, and left the message to the periodic sweep).
BEGIN;
SELECT plan(4);

SELECT messages_queue_platform('wake@example.com', 'password_reset', '{}', 'tap-wake-1',
    timestamptz '2031-05-06 10:00:00.4+00');
SELECT messages_queue_platform('wake2@example.com', 'password_reset', '{}', 'tap-wake-2',
    timestamptz '2031-05-06 10:00:02+00');

SELECT is((SELECT run_at FROM jobs WHERE kind = 'messages.send'
    AND unique_key = 'at@' || extract(epoch FROM timestamptz '2031-05-06 10:00:01+00')::bigint),
    timestamptz '2031-05-06 10:00:01+00', 'due at .4 s: the job runs at the next whole second');
SELECT is((SELECT count(*)::int FROM jobs WHERE kind = 'messages.send'
    AND run_at = timestamptz '2031-05-06 10:00:00+00'), 0, 'and never before it is due');
SELECT is((SELECT run_at FROM jobs WHERE kind = 'messages.send'
    AND unique_key = 'at@' || extract(epoch FROM timestamptz '2031-05-06 10:00:02+00')::bigint),
    timestamptz '2031-05-06 10:00:02+00', 'due on a whole second: runs on it');
SELECT ok(NOT EXISTS (SELECT 1 FROM jobs j JOIN platform_outbox p
    ON j.unique_key = 'at@' || ceil(extract(epoch FROM p.next_attempt_at))::bigint
    WHERE p.dedupe_key LIKE 'tap-wake-%' AND j.run_at < p.next_attempt_at),
    'no wake job of these messages runs before its message is due');

SELECT * FROM finish();
ROLLBACK;
