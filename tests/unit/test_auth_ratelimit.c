/* test_auth_ratelimit.c — the in-process fixed windows behind sign-in,
 * reset and 2FA limits (and, later, widget limits): N events pass, the next
 * is refused with the time left, a new window starts fresh, keys and
 * windows are independent, check does not count, and the table stays
 * bounded under many keys. Redis is not involved (no REDIS_URL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>

#include "http/ratelimit.h"

static time_t fake_now = 1000000;

static time_t
clock_fake(void)
{
	return fake_now;
}

static struct ratelimit *
new_rl(size_t slots)
{
	struct ratelimit *rl = ratelimit_new(NULL, slots);

	ratelimit_set_clock(rl, clock_fake);
	fake_now = 1000000;
	return rl;
}

static void
test_limit_then_refuse_with_retry_after(void **state)
{
	struct ratelimit *rl = new_rl(0);
	int ra = -1;

	for (int i = 0; i < 5; i++)
		assert_true(ratelimit_hit(rl, "login:ip:1.2.3.4", 5, 900, &ra));
	assert_false(ratelimit_hit(rl, "login:ip:1.2.3.4", 5, 900, &ra));
	assert_int_equal(ra, 900);
	fake_now += 100;
	assert_false(ratelimit_hit(rl, "login:ip:1.2.3.4", 5, 900, &ra));
	assert_int_equal(ra, 800);
	assert_false(ratelimit_using_redis(rl));
	ratelimit_free(rl);
}

static void
test_a_new_window_starts_fresh(void **state)
{
	struct ratelimit *rl = new_rl(0);
	int ra;

	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_hit(rl, "k", 3, 60, &ra));
	assert_false(ratelimit_hit(rl, "k", 3, 60, &ra));
	fake_now += 59;
	assert_false(ratelimit_hit(rl, "k", 3, 60, &ra));
	assert_int_equal(ra, 1);
	fake_now += 1;
	assert_true(ratelimit_hit(rl, "k", 3, 60, &ra));
	ratelimit_free(rl);
}

static void
test_keys_and_windows_are_independent(void **state)
{
	struct ratelimit *rl = new_rl(0);
	int ra;

	assert_true(ratelimit_hit(rl, "a", 1, 60, &ra));
	assert_false(ratelimit_hit(rl, "a", 1, 60, &ra));
	assert_true(ratelimit_hit(rl, "b", 1, 60, &ra));
	/* Same key, another window length: another counter. */
	assert_true(ratelimit_hit(rl, "a", 1, 3600, &ra));
	ratelimit_free(rl);
}

static void
test_check_does_not_count_and_reset_forgets(void **state)
{
	struct ratelimit *rl = new_rl(0);
	int ra;

	for (int i = 0; i < 10; i++)
		assert_true(ratelimit_check(rl, "f", 2, 60, &ra));
	assert_true(ratelimit_hit(rl, "f", 2, 60, &ra));
	assert_true(ratelimit_check(rl, "f", 2, 60, &ra));
	assert_true(ratelimit_hit(rl, "f", 2, 60, &ra));
	assert_false(ratelimit_check(rl, "f", 2, 60, &ra));
	assert_int_equal(ra, 60);
	ratelimit_reset(rl, "f", 60);
	assert_true(ratelimit_check(rl, "f", 2, 60, &ra));
	ratelimit_free(rl);
}

static void
test_table_is_bounded_and_live_keys_survive_churn(void **state)
{
	struct ratelimit *rl = new_rl(256);
	char key[32];
	int ra;

	assert_true(ratelimit_hit(rl, "victim", 1, 3600, &ra));
	/* Far more keys than slots, each expiring before the next comes:
	 * they reuse expired slots and never evict the live one. */
	for (int i = 0; i < 1500; i++) {	/* 3000 s: within victim's hour */
		snprintf(key, sizeof(key), "short-%d", i);
		(void)ratelimit_hit(rl, key, 1, 1, &ra);
		fake_now += 2;	/* each short key expires before the next */
	}
	assert_false(ratelimit_hit(rl, "victim", 1, 3600, &ra));
	ratelimit_free(rl);
}

static void
test_bad_redis_url_falls_back_in_process(void **state)
{
	struct ratelimit *rl = ratelimit_new("http://nope", 0);
	int ra;

	assert_false(ratelimit_using_redis(rl));
	assert_true(ratelimit_hit(rl, "x", 1, 60, &ra));
	assert_false(ratelimit_hit(rl, "x", 1, 60, &ra));
	ratelimit_free(rl);
}

static void
test_unreachable_redis_falls_back_in_process(void **state)
{
	/* Port 1 on loopback: refused at once. */
	struct ratelimit *rl = ratelimit_new("redis://127.0.0.1:1", 0);
	int ra;

	assert_true(ratelimit_hit(rl, "y", 2, 60, &ra));
	assert_true(ratelimit_hit(rl, "y", 2, 60, &ra));
	assert_false(ratelimit_hit(rl, "y", 2, 60, &ra));
	assert_false(ratelimit_using_redis(rl));
	ratelimit_free(rl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_then_refuse_with_retry_after),
		cmocka_unit_test(test_a_new_window_starts_fresh),
		cmocka_unit_test(test_keys_and_windows_are_independent),
		cmocka_unit_test(test_check_does_not_count_and_reset_forgets),
		cmocka_unit_test(test_table_is_bounded_and_live_keys_survive_churn),
		cmocka_unit_test(test_bad_redis_url_falls_back_in_process),
		cmocka_unit_test(test_unreachable_redis_falls_back_in_process),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
