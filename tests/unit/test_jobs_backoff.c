/* test_jobs_backoff.c — the retry delay: base · 2^(attempt-1), capped, with
 * ±20 % jitter so jobs that failed together do not retry together. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <limits.h>

#include "db/jobs.h"

/* The delay before jitter. */
static long
nominal(int attempt, int base, int cap)
{
	long d = base;

	for (int i = 1; i < attempt && d < cap; i++)
		d *= 2;
	return d > cap ? cap : d;
}

/* The seed that lands on the nominal delay: jitter is seed % (2j+1) - j. */
static unsigned
centre_seed(long d)
{
	return (unsigned)(d / 5);
}

static void
test_first_retry_waits_the_base(void **state)
{
	assert_int_equal(jobs_backoff_s(1, 10, 3600, centre_seed(10)), 10);
}

static void
test_delay_doubles_with_each_attempt(void **state)
{
	static const int want[] = { 10, 20, 40, 80, 160, 320, 640, 1280 };

	for (int n = 1; n <= 8; n++)
		assert_int_equal(jobs_backoff_s(n, 10, 100000, centre_seed(want[n - 1])),
		    want[n - 1]);
}

static void
test_small_delays_have_no_jitter(void **state)
{
	/* Under 5 s a fifth rounds to zero: the delay is exact. */
	for (unsigned seed = 0; seed < 100; seed++) {
		assert_int_equal(jobs_backoff_s(1, 1, 3600, seed), 1);
		assert_int_equal(jobs_backoff_s(2, 1, 3600, seed), 2);
		assert_int_equal(jobs_backoff_s(3, 1, 3600, seed), 4);
	}
}

static void
test_delay_is_capped(void **state)
{
	assert_int_equal(jobs_backoff_s(20, 10, 300, centre_seed(300)), 300);
	assert_int_equal(jobs_backoff_s(7, 10, 300, centre_seed(300)), 300);
}

static void
test_cap_holds_for_huge_attempt_numbers(void **state)
{
	for (unsigned seed = 0; seed < 50; seed++) {
		int d = jobs_backoff_s(INT_MAX, 10, 3600, seed);

		assert_in_range(d, 3600 - 720, 3600 + 720);
	}
}

static void
test_base_above_cap_is_capped(void **state)
{
	assert_int_equal(jobs_backoff_s(1, 5000, 3600, centre_seed(3600)), 3600);
}

static void
test_jitter_stays_within_twenty_percent(void **state)
{
	for (int n = 1; n <= 15; n++) {
		long d = nominal(n, 10, 3600);

		for (unsigned seed = 0; seed < 2000; seed++) {
			int got = jobs_backoff_s(n, 10, 3600, seed * 2654435761u);

			if (got * 5 < d * 4 || got * 5 > d * 6)
				fail_msg("attempt %d seed %u: %d is more than 20%% from %ld",
				    n, seed, got, d);
		}
	}
}

static void
test_jitter_spreads_retries(void **state)
{
	/* Jobs that failed together should not all come back together. */
	int lo = INT_MAX, hi = 0;

	for (unsigned seed = 0; seed < 1000; seed++) {
		int d = jobs_backoff_s(5, 10, 3600, seed);

		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	assert_int_equal(lo, 160 - 32);
	assert_int_equal(hi, 160 + 32);
}

static void
test_jitter_depends_only_on_the_seed(void **state)
{
	assert_int_equal(jobs_backoff_s(4, 10, 3600, 12345), jobs_backoff_s(4, 10, 3600, 12345));
}

static void
test_delay_grows_at_the_centre_seed_until_the_cap(void **state)
{
	int prev = 0;

	for (int n = 1; n <= 30; n++) {
		long d = nominal(n, 3, 1000);
		int got = jobs_backoff_s(n, 3, 1000, centre_seed(d));

		assert_true(got >= prev);
		prev = got;
	}
	assert_int_equal(prev, 1000);
}

static void
test_never_below_one_second(void **state)
{
	for (unsigned seed = 0; seed < 100; seed++) {
		assert_true(jobs_backoff_s(1, 0, 3600, seed) >= 1);
		assert_true(jobs_backoff_s(1, 1, 3600, seed) >= 1);
		assert_true(jobs_backoff_s(1, -5, 3600, seed) >= 1);
		assert_true(jobs_backoff_s(3, 10, 0, seed) >= 1);
		assert_true(jobs_backoff_s(0, 10, 3600, seed) >= 1);
		assert_true(jobs_backoff_s(-3, 10, 3600, seed) >= 1);
	}
}

static void
test_attempt_zero_or_negative_waits_the_base(void **state)
{
	assert_int_equal(jobs_backoff_s(0, 10, 3600, centre_seed(10)), 10);
	assert_int_equal(jobs_backoff_s(-1, 10, 3600, centre_seed(10)), 10);
}

static void
test_largest_configurable_base_stays_near_the_cap(void **state)
{
	/* JOB_BACKOFF_BASE_S is at most 3600, and the worker caps at 3600. */
	for (int n = 1; n <= 64; n++)
		for (unsigned seed = 0; seed < 50; seed++)
			assert_in_range(jobs_backoff_s(n, 3600, 3600, seed), 2880, 4320);
}

static void
test_huge_cap_never_overflows_int(void **state)
{
	for (unsigned seed = 0; seed < 2000; seed++)
		assert_true(jobs_backoff_s(64, 3600, INT_MAX, seed * 2654435761u) >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_retry_waits_the_base),
		cmocka_unit_test(test_delay_doubles_with_each_attempt),
		cmocka_unit_test(test_small_delays_have_no_jitter),
		cmocka_unit_test(test_delay_is_capped),
		cmocka_unit_test(test_cap_holds_for_huge_attempt_numbers),
		cmocka_unit_test(test_base_above_cap_is_capped),
		cmocka_unit_test(test_jitter_stays_within_twenty_percent),
		cmocka_unit_test(test_jitter_spreads_retries),
		cmocka_unit_test(test_jitter_depends_only_on_the_seed),
		cmocka_unit_test(test_delay_grows_at_the_centre_seed_until_the_cap),
		cmocka_unit_test(test_never_below_one_second),
		cmocka_unit_test(test_attempt_zero_or_negative_waits_the_base),
		cmocka_unit_test(test_largest_configurable_base_stays_near_the_cap),
		cmocka_unit_test(test_huge_cap_never_overflows_int),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
