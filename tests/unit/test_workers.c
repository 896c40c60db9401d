/* test_workers.c — the handler pool and its hand-off for long items: on a
 * pool of two threads, ten items that detach all run at once while quick
 * items still get through; STREAMS_MAX refuses the next detach; 0 keeps
 * the old behaviour; a replacement that cannot start keeps the item in
 * the pool; stop waits for detached items and joins their threads.
 * Run under ASan/LSan by `make test`: a thread or node not joined and
 * freed shows up there. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

/* Included for the thread_create seam and the pool's internals. */
#include "../../src/http/workers.c"

/* ---- jobs ------------------------------------------------------------------------ */

/* What the jobs of one test share; guarded by mu, changes signalled on cv. */
struct board {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct workers *pool;
	bool release;		/* streams may return */
	int detached, kept, refused;	/* workers_detach answers */
	int streaming;		/* streams now blocked in their "turn" */
	int streams_done, quick_done;
};

struct job {
	struct work_item work;	/* must stay first */
	struct board *b;
};

static void
board_init(struct board *b)
{
	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
}

static void
board_cleanup(struct board *b)
{
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
}

/* Like a streaming handler: detach, then wait on the model (here, the
 * test) until released. A refused one returns at once, as a 503 would. */
static void
stream_run(struct work_item *w)
{
	struct board *b = ((struct job *)w)->b;
	enum workers_detach d = workers_detach(b->pool);

	pthread_mutex_lock(&b->mu);
	if (d == WORKERS_FULL) {
		b->refused++;
	} else {
		if (d == WORKERS_DETACHED)
			b->detached++;
		else
			b->kept++;
		b->streaming++;
		pthread_cond_broadcast(&b->cv);
		while (!b->release)
			pthread_cond_wait(&b->cv, &b->mu);
		b->streaming--;
		b->streams_done++;
	}
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

static void
quick_run(struct work_item *w)
{
	struct board *b = ((struct job *)w)->b;

	pthread_mutex_lock(&b->mu);
	b->quick_done++;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

static void
submit(struct board *b, struct job *jobs, int n, void (*run)(struct work_item *))
{
	for (int i = 0; i < n; i++) {
		jobs[i].b = b;
		jobs[i].work.run = run;
		assert_true(workers_submit(b->pool, &jobs[i].work));
	}
}

/* Waits up to 5 s for *counter to reach want; true when it did. */
static bool
reach(struct board *b, const int *counter, int want)
{
	struct timespec ts;
	bool ok;

	deadline_in_ms(&ts, 5000);
	pthread_mutex_lock(&b->mu);
	while (*counter < want)
		if (pthread_cond_timedwait(&b->cv, &b->mu, &ts) != 0)
			break;
	ok = *counter >= want;
	pthread_mutex_unlock(&b->mu);
	return ok;
}

/* *counter read under the board's lock. */
static int
seen(struct board *b, const int *counter)
{
	int v;

	pthread_mutex_lock(&b->mu);
	v = *counter;
	pthread_mutex_unlock(&b->mu);
	return v;
}

static void
release(struct board *b)
{
	pthread_mutex_lock(&b->mu);
	b->release = true;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

static struct workers_stats
stats(struct workers *p)
{
	struct workers_stats s;

	workers_get_stats(p, &s);
	return s;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- tests ----------------------------------------------------------------------- */

static void
test_ten_streams_on_two_threads_while_quick_jobs_complete(void **state)
{
	struct board b;
	struct job streams[10], quick[50];
	struct workers_stats s;

	board_init(&b);
	b.pool = workers_start(2, 100, 1000);
	submit(&b, streams, 10, stream_run);
	/* Two threads could hold two blocked items: ten means each one left. */
	assert_true(reach(&b, &b.streaming, 10));
	s = stats(b.pool);
	assert_int_equal(s.streams, 10);
	assert_int_equal(s.threads, 2);
	assert_int_equal(s.busy, 0);
	submit(&b, quick, 50, quick_run);
	assert_true(reach(&b, &b.quick_done, 50));
	assert_int_equal(b.detached, 10);
	release(&b);
	assert_true(reach(&b, &b.streams_done, 10));
	/* Each leaving thread joins the ones before it: one at most waits. */
	pause_ms(50);
	pthread_mutex_lock(&b.pool->mu);
	assert_int_equal(b.pool->detached, 0);
	assert_true(b.pool->finished == NULL || b.pool->finished->next == NULL);
	pthread_mutex_unlock(&b.pool->mu);
	workers_stop(b.pool);
	board_cleanup(&b);
}

static void
test_streams_max_refuses_the_next_detach(void **state)
{
	struct board b;
	struct job streams[4], quick[5];
	struct workers_stats s;

	board_init(&b);
	b.pool = workers_start(2, 100, 3);
	submit(&b, streams, 4, stream_run);
	assert_true(reach(&b, &b.refused, 1));
	assert_true(reach(&b, &b.streaming, 3));
	assert_int_equal(b.detached, 3);
	s = stats(b.pool);
	assert_int_equal(s.streams, 3);
	assert_int_equal(s.streams_max, 3);
	assert_int_equal(s.streams_rejected, 1);
	/* The refusal left the pool whole. */
	submit(&b, quick, 5, quick_run);
	assert_true(reach(&b, &b.quick_done, 5));
	release(&b);
	workers_stop(b.pool);
	assert_int_equal(b.streams_done, 3);
	board_cleanup(&b);
}

static void
test_streams_max_zero_keeps_the_thread(void **state)
{
	struct board b;
	struct job streams[3];
	struct workers_stats s;

	board_init(&b);
	b.pool = workers_start(2, 100, 0);
	submit(&b, streams, 3, stream_run);
	assert_true(reach(&b, &b.streaming, 2));
	pause_ms(100);
	s = stats(b.pool);
	/* The old behaviour: two threads held, the third item waits. */
	assert_int_equal(seen(&b, &b.streaming), 2);
	assert_int_equal(seen(&b, &b.kept), 2);
	assert_int_equal(s.streams, 0);
	assert_int_equal(s.busy, 2);
	assert_int_equal(s.queued, 1);
	release(&b);
	workers_stop(b.pool);
	assert_int_equal(b.streams_done, 3);
	assert_int_equal(b.kept, 3);
	board_cleanup(&b);
}

static int
create_fails(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
	(void)t;
	(void)a;
	(void)fn;
	(void)arg;
	return 11;	/* EAGAIN */
}

static void
test_a_failed_replacement_keeps_the_item_in_the_pool(void **state)
{
	struct board b;
	struct job streams[1];
	struct workers_stats s;

	board_init(&b);
	b.pool = workers_start(1, 100, 10);
	thread_create = create_fails;
	submit(&b, streams, 1, stream_run);
	assert_true(reach(&b, &b.streaming, 1));
	thread_create = pthread_create;
	s = stats(b.pool);
	assert_int_equal(b.kept, 1);
	assert_int_equal(s.streams, 0);
	assert_int_equal(s.threads, 1);
	assert_int_equal(s.busy, 1);
	release(&b);
	workers_stop(b.pool);
	assert_int_equal(b.streams_done, 1);
	board_cleanup(&b);
}

/* Detaching from a thread that is not the pool's changes nothing. */
static void
test_detach_outside_the_pool_is_kept(void **state)
{
	struct workers *p = workers_start(1, 10, 10);

	assert_int_equal(workers_detach(p), WORKERS_KEPT);
	assert_int_equal(stats(p).streams, 0);
	workers_stop(p);
}

struct stopper {
	struct workers *pool;
	pthread_mutex_t mu;
	bool done;
};

static void *
stopper_main(void *arg)
{
	struct stopper *st = arg;

	workers_stop(st->pool);
	pthread_mutex_lock(&st->mu);
	st->done = true;
	pthread_mutex_unlock(&st->mu);
	return NULL;
}

static void
test_stop_waits_for_detached_items(void **state)
{
	struct board b;
	struct job streams[5];
	struct stopper st = { 0 };
	pthread_t t;
	bool done;

	board_init(&b);
	b.pool = workers_start(2, 100, 10);
	submit(&b, streams, 5, stream_run);
	assert_true(reach(&b, &b.streaming, 5));
	st.pool = b.pool;
	pthread_mutex_init(&st.mu, NULL);
	assert_int_equal(pthread_create(&t, NULL, stopper_main, &st), 0);
	pause_ms(200);
	pthread_mutex_lock(&st.mu);
	done = st.done;
	pthread_mutex_unlock(&st.mu);
	assert_false(done);
	assert_int_equal(seen(&b, &b.streams_done), 0);
	release(&b);
	pthread_join(t, NULL);
	assert_true(st.done);
	assert_int_equal(b.streams_done, 5);
	pthread_mutex_destroy(&st.mu);
	board_cleanup(&b);
}

static void
test_stop_within_counts_detached_items(void **state)
{
	struct board b;
	struct job streams[2];

	board_init(&b);
	b.pool = workers_start(1, 100, 10);
	submit(&b, streams, 2, stream_run);
	assert_true(reach(&b, &b.streaming, 2));
	/* The pool's own thread is idle; the detached ones are not. */
	assert_false(workers_stop_within(b.pool, 100));
	release(&b);
	assert_true(workers_stop_within(b.pool, 5000));
	assert_int_equal(b.streams_done, 2);
	/* Stopped already: this joins the pool's threads and frees it. */
	workers_stop(b.pool);
	board_cleanup(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ten_streams_on_two_threads_while_quick_jobs_complete),
		cmocka_unit_test(test_streams_max_refuses_the_next_detach),
		cmocka_unit_test(test_streams_max_zero_keeps_the_thread),
		cmocka_unit_test(test_a_failed_replacement_keeps_the_item_in_the_pool),
		cmocka_unit_test(test_detach_outside_the_pool_is_kept),
		cmocka_unit_test(test_stop_waits_for_detached_items),
		cmocka_unit_test(test_stop_within_counts_detached_items),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
