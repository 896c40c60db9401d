/* test_llm_chain.c — the circuit breaker's state machine on an explicit
 * clock, and the chain's fallback decisions with in-process fake
 * providers: fall back only while nothing was streamed, never after a
 * cancel, skip an open breaker without calling it, keep a tenant's
 * rejected key from tripping the breaker for everyone. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../src/providers/llm_chain.c"

/* ---- the breaker ---------------------------------------------------------------- */

static struct llm_breaker *
fresh(const char *name, int failures, int cooldown_s)
{
	struct llm_breaker *b = llm_breaker_get(name, "http://test", failures, cooldown_s);

	breaker_success(b);
	return b;
}

static void
test_breaker_opens_after_n_consecutive_failures(void **state)
{
	struct llm_breaker *b = fresh("t-open", 3, 30);

	(void)state;
	assert_true(breaker_allow(b, 0));
	assert_false(breaker_failure(b, 1));
	assert_false(breaker_failure(b, 2));
	assert_int_equal(llm_breaker_state(b), BREAKER_CLOSED);
	assert_true(breaker_failure(b, 3));
	assert_int_equal(llm_breaker_state(b), BREAKER_OPEN);
	/* Skipped at once for the whole cooldown. */
	assert_false(breaker_allow(b, 4));
	assert_false(breaker_allow(b, 3 + 29999));
}

static void
test_success_resets_the_count(void **state)
{
	struct llm_breaker *b = fresh("t-reset", 3, 30);

	(void)state;
	breaker_failure(b, 1);
	breaker_failure(b, 2);
	breaker_success(b);
	breaker_failure(b, 3);
	breaker_failure(b, 4);
	assert_int_equal(llm_breaker_state(b), BREAKER_CLOSED);
}

static void
test_half_open_admits_one_probe_then_closes_on_success(void **state)
{
	struct llm_breaker *b = fresh("t-half", 1, 10);

	(void)state;
	assert_true(breaker_failure(b, 1000));
	assert_false(breaker_allow(b, 10999));
	assert_true(breaker_allow(b, 11000));		/* the probe */
	assert_int_equal(llm_breaker_state(b), BREAKER_HALF_OPEN);
	assert_false(breaker_allow(b, 11001));		/* only one at a time */
	breaker_success(b);
	assert_int_equal(llm_breaker_state(b), BREAKER_CLOSED);
	assert_true(breaker_allow(b, 11002));
}

static void
test_half_open_probe_failure_reopens(void **state)
{
	struct llm_breaker *b = fresh("t-reopen", 2, 10);

	(void)state;
	breaker_failure(b, 0);
	breaker_failure(b, 1);
	assert_true(breaker_allow(b, 10001));
	assert_true(breaker_failure(b, 10500));
	assert_int_equal(llm_breaker_state(b), BREAKER_OPEN);
	assert_false(breaker_allow(b, 20000));		/* a new cooldown from 10500 */
	assert_true(breaker_allow(b, 20500));
}

static void
test_lost_probe_is_replaced_after_a_cooldown(void **state)
{
	struct llm_breaker *b = fresh("t-lost", 1, 10);

	(void)state;
	breaker_failure(b, 0);
	assert_true(breaker_allow(b, 10000));	/* probe never reports back */
	assert_false(breaker_allow(b, 15000));
	assert_true(breaker_allow(b, 20000));
}

static void
test_neutral_outcome_releases_the_probe(void **state)
{
	struct llm_breaker *b = fresh("t-neutral", 1, 10);

	(void)state;
	breaker_failure(b, 0);
	assert_true(breaker_allow(b, 10000));
	breaker_neutral(b);		/* e.g. the customer went away */
	assert_int_equal(llm_breaker_state(b), BREAKER_HALF_OPEN);
	assert_true(breaker_allow(b, 10001));
}

static void
test_zero_threshold_never_opens(void **state)
{
	struct llm_breaker *b = fresh("t-never", 0, 10);

	(void)state;
	for (int i = 0; i < 100; i++)
		assert_false(breaker_failure(b, i));
	assert_int_equal(llm_breaker_state(b), BREAKER_CLOSED);
}

static void
test_breakers_are_per_provider_and_base_url(void **state)
{
	(void)state;
	assert_ptr_equal(llm_breaker_get("openai", "https://a", 5, 30),
	    llm_breaker_get("openai", "https://a", 5, 30));
	assert_ptr_not_equal(llm_breaker_get("openai", "https://a", 5, 30),
	    llm_breaker_get("openai", "https://b", 5, 30));
	assert_ptr_not_equal(llm_breaker_get("openai", "https://a", 5, 30),
	    llm_breaker_get("anthropic", "https://a", 5, 30));
}

static struct llm_breaker *shared;

static void *
hammer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		if (breaker_allow(shared, i))
			breaker_failure(shared, i);
	}
	return NULL;
}

static void
test_breaker_under_concurrency(void **state)
{
	pthread_t th[8];

	(void)state;
	shared = fresh("t-threads", 5, 1000);
	for (int i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, hammer, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	/* Exactly-once bookkeeping: failures stopped counting once open. */
	assert_int_equal(llm_breaker_state(shared), BREAKER_OPEN);
	assert_true(shared->failures <= 5);
}

static void
test_decide(void **state)
{
	(void)state;
	assert_int_equal(chain_decide(ST_OK, 10, false), NEXT_DONE);
	assert_int_equal(chain_decide(ST_UPSTREAM, 0, false), NEXT_FALLBACK);
	assert_int_equal(chain_decide(ST_TIMEOUT, 0, false), NEXT_FALLBACK);
	/* Text already shown: finish with the error, never a second reply. */
	assert_int_equal(chain_decide(ST_TIMEOUT, 1, false), NEXT_STOP);
	assert_int_equal(chain_decide(ST_UPSTREAM, 0, true), NEXT_STOP);
}

/* ---- the chain with fake providers -------------------------------------------------- */

struct fake {
	const char *name;
	enum status st;		/* what complete returns */
	const char *before;	/* text streamed before returning */
	bool caller_fault;
	bool cancel;		/* sets the request's cancelled flag, like a client leaving */
	long sleep_ms;
	int calls;
};

static struct fake fakes[3];
static char streamed[1024];

static struct fake *
fake_of(const struct llm_provider *p)
{
	for (size_t i = 0; i < 3; i++)
		if (fakes[i].name && strcmp(fakes[i].name, p->name) == 0)
			return &fakes[i];
	fail();
	return NULL;
}

static enum status
fake_complete(struct llm_provider *self, struct arena *a, const struct llm_request *req,
    const struct llm_stream *stream, struct llm_response *out, struct err *e)
{
	struct fake *f = fake_of(self);
	struct llm_remote *r = self->free == llm_remote_free ? self->ctx : NULL;

	f->calls++;
	if (r != NULL)
		memset(&r->info, 0, sizeof(r->info));
	if (f->sleep_ms > 0) {
		struct timespec ts = { f->sleep_ms / 1000, (f->sleep_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	if (f->before != NULL)
		stream->on_text(stream->ud, f->before, strlen(f->before));
	if (f->cancel) {
		atomic_store(req->cancelled, true);
		if (r != NULL)
			r->info.cancelled = true;
		return err_set(e, ST_UNAVAILABLE, "cancelled");
	}
	if (f->st != ST_OK) {
		if (r != NULL)
			r->info.caller_fault = f->caller_fault;
		return err_set(e, f->st, "%s failed", f->name);
	}
	memset(out, 0, sizeof(*out));
	out->text = arena_printf(a, "answer from %s", f->name);
	out->provider = f->name;
	stream->on_text(stream->ud, out->text, strlen(out->text));
	return ST_OK;
}

static void
collect(void *ud, const char *d, size_t n)
{
	size_t l = strlen(streamed);

	(void)ud;
	assert_true(l + n < sizeof(streamed));
	memcpy(streamed + l, d, n);
	streamed[l + n] = '\0';
}

/* primary, secondary (remote, with breakers) and a local last link. */
static struct llm_provider *
chain3(struct arena *a, struct llm_breaker *b1, struct llm_breaker *b2)
{
	struct llm_remote_config rc = { .base_url = "http://fake", .timeout_ms = 1000 };
	struct llm_provider *local = arena_calloc(a, 1, sizeof(*local));
	struct llm_chain_link links[3];

	local->name = fakes[2].name;
	local->complete = fake_complete;
	links[0] = (struct llm_chain_link){ llm_remote_new(a, fakes[0].name, &rc, fake_complete), b1 };
	links[1] = (struct llm_chain_link){ llm_remote_new(a, fakes[1].name, &rc, fake_complete), b2 };
	links[2] = (struct llm_chain_link){ local, NULL };
	return llm_chain_new(a, links, 3);
}

static int
setup_fakes(void **state)
{
	(void)state;
	memset(fakes, 0, sizeof(fakes));
	fakes[0].name = "primary";
	fakes[1].name = "secondary";
	fakes[2].name = "offline";
	streamed[0] = '\0';
	return 0;
}

static enum status
run(struct llm_provider *p, struct arena *a, struct llm_response *out, struct err *e,
    int timeout_ms, atomic_bool *cancelled)
{
	struct llm_message m = { .role = LLM_USER, .content = "hi" };
	struct llm_request req = { .messages = &m, .nmessages = 1, .timeout_ms = timeout_ms,
		.cancelled = cancelled };
	struct llm_stream s = { .on_text = collect };

	err_clear(e);
	return p->complete(p, a, &req, &s, out, e);
}

static void
test_primary_answers(void **state)
{
	struct arena a;
	struct llm_response out;
	struct err e;
	atomic_bool c = false;

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(run(chain3(&a, fresh("c1a", 5, 30), fresh("c1b", 5, 30)), &a, &out, &e, 0,
	    &c), ST_OK);
	assert_string_equal(out.provider, "primary");
	assert_int_equal(fakes[1].calls, 0);
	arena_free(&a);
}

static void
test_failure_before_output_falls_back(void **state)
{
	struct arena a;
	struct llm_response out;
	struct err e;
	atomic_bool c = false;

	(void)state;
	arena_init(&a, 4096);
	fakes[0].st = ST_UPSTREAM;
	fakes[1].st = ST_TIMEOUT;
	assert_int_equal(run(chain3(&a, fresh("c2a", 5, 30), fresh("c2b", 5, 30)), &a, &out, &e, 0,
	    &c), ST_OK);
	assert_string_equal(out.provider, "offline");
	assert_string_equal(streamed, "answer from offline");
	assert_int_equal(fakes[0].calls, 1);
	assert_int_equal(fakes[1].calls, 1);
	arena_free(&a);
}

static void
test_failure_after_output_does_not_duplicate(void **state)
{
	struct arena a;
	struct llm_response out;
	struct err e;
	atomic_bool c = false;

	(void)state;
	arena_init(&a, 4096);
	fakes[0].st = ST_TIMEOUT;
	fakes[0].before = "Sure, I can book that for";
	assert_int_equal(run(chain3(&a, fresh("c3a", 5, 30), fresh("c3b", 5, 30)), &a, &out, &e, 0,
	    &c), ST_TIMEOUT);
	assert_string_equal(streamed, "Sure, I can book that for");
	assert_int_equal(fakes[1].calls, 0);
	assert_int_equal(fakes[2].calls, 0);
	arena_free(&a);
}

static void
test_open_breaker_skips_without_a_call(void **state)
{
	struct llm_breaker *b1 = fresh("c4a", 2, 30);
	struct arena a;
	struct llm_response out;
	struct err e;
	atomic_bool c = false;

	(void)state;
	arena_init(&a, 4096);
	fakes[0].st = ST_UPSTREAM;
	for (int i = 0; i < 2; i++)
		assert_int_equal(run(chain3(&a, b1, fresh("c4b", 5, 30)), &a, &out, &e, 0, &c), ST_OK);
	assert_int_equal(fakes[0].calls, 2);
	assert_int_equal(llm_breaker_state(b1), BREAKER_OPEN);
	assert_int_equal(run(chain3(&a, b1, fresh("c4b", 5, 30)), &a, &out, &e, 0, &c), ST_OK);
	assert_int_equal(fakes[0].calls, 2);	/* not called again */
	assert_string_equal(out.provider, "secondary");
	arena_free(&a);
}

static void
test_rejected_key_does_not_trip_breaker(void **state)
{
	struct llm_breaker *b1 = fresh("c5a", 1, 30);
	struct arena a;
	struct llm_response out;
	struct err e;
	atomic_bool c = false;

	(void)state;
	arena_init(&a, 4096);
	fakes[0].st = ST_UPSTREAM;
	fakes[0].caller_fault = true;
	assert_int_equal(run(chain3(&a, b1, fresh("c5b", 5, 30)), &a, &out, &e, 0, &c), ST_OK);
	assert_string_equal(out.provider, "secondary");	/* still falls back */
	assert_int_equal(llm_breaker_state(b1), BREAKER_CLOSED);
	arena_free(&a);
}

static void
test_cancel_never_falls_back(void **state)
{
	struct arena a;
	struct llm_response out;
	struct err e;
	atomic_bool c = false;

	(void)state;
	arena_init(&a, 4096);
	fakes[0].cancel = true;
	assert_int_equal(run(chain3(&a, fresh("c6a", 1, 30), fresh("c6b", 5, 30)), &a, &out, &e, 0,
	    &c), ST_UNAVAILABLE);
	assert_int_equal(fakes[1].calls, 0);
	assert_int_equal(fakes[2].calls, 0);
	arena_free(&a);
}

static void
test_deadline_spent_skips_remote_but_not_local(void **state)
{
	struct arena a;
	struct llm_response out;
	struct err e;
	atomic_bool c = false;

	(void)state;
	arena_init(&a, 4096);
	fakes[0].st = ST_TIMEOUT;
	fakes[0].sleep_ms = 40;
	assert_int_equal(run(chain3(&a, fresh("c7a", 5, 30), fresh("c7b", 5, 30)), &a, &out, &e, 20,
	    &c), ST_OK);
	assert_int_equal(fakes[1].calls, 0);
	assert_string_equal(out.provider, "offline");
	arena_free(&a);
}

static void
test_all_fail_reports_last_error(void **state)
{
	struct arena a;
	struct llm_response out;
	struct err e;
	atomic_bool c = false;

	(void)state;
	arena_init(&a, 4096);
	fakes[0].st = ST_UPSTREAM;
	fakes[1].st = ST_UPSTREAM;
	fakes[2].st = ST_INTERNAL;
	assert_int_equal(run(chain3(&a, fresh("c8a", 5, 30), fresh("c8b", 5, 30)), &a, &out, &e, 0,
	    &c), ST_INTERNAL);
	assert_string_equal(e.message, "offline failed");
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_breaker_opens_after_n_consecutive_failures),
		cmocka_unit_test(test_success_resets_the_count),
		cmocka_unit_test(test_half_open_admits_one_probe_then_closes_on_success),
		cmocka_unit_test(test_half_open_probe_failure_reopens),
		cmocka_unit_test(test_lost_probe_is_replaced_after_a_cooldown),
		cmocka_unit_test(test_neutral_outcome_releases_the_probe),
		cmocka_unit_test(test_zero_threshold_never_opens),
		cmocka_unit_test(test_breakers_are_per_provider_and_base_url),
		cmocka_unit_test(test_breaker_under_concurrency),
		cmocka_unit_test(test_decide),
		cmocka_unit_test_setup(test_primary_answers, setup_fakes),
		cmocka_unit_test_setup(test_failure_before_output_falls_back, setup_fakes),
		cmocka_unit_test_setup(test_failure_after_output_does_not_duplicate, setup_fakes),
		cmocka_unit_test_setup(test_open_breaker_skips_without_a_call, setup_fakes),
		cmocka_unit_test_setup(test_rejected_key_does_not_trip_breaker, setup_fakes),
		cmocka_unit_test_setup(test_cancel_never_falls_back, setup_fakes),
		cmocka_unit_test_setup(test_deadline_spent_skips_remote_but_not_local, setup_fakes),
		cmocka_unit_test_setup(test_all_fail_reports_last_error, setup_fakes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
