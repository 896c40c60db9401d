/* test_reminders_rules.c — the reminder settings' rules: offsets (bounds,
 * at most four, no repeats, largest first) and quiet hours' HH:MM. The
 * quiet-hours shift itself is SQL (reminder_send_at) and is pinned down in
 * tests/sql/reminders.sql. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "modules/reminders/reminders_rules.h"

static void
test_offsets_sorted_largest_first(void **state)
{
	int v[] = { 120, 1440, 15, 10080 };
	const char *why = NULL;

	(void)state;
	assert_true(rmd_offsets_ok(v, 4, &why));
	assert_int_equal(v[0], 10080);
	assert_int_equal(v[1], 1440);
	assert_int_equal(v[2], 120);
	assert_int_equal(v[3], 15);
}

static void
test_offsets_empty_is_allowed(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_true(rmd_offsets_ok((int[]){ 0 }, 0, &why));	/* a channel with none */
}

static void
test_offsets_bounds(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_false(rmd_offsets_ok((int[]){ 14 }, 1, &why));
	assert_non_null(why);
	assert_true(rmd_offsets_ok((int[]){ 15 }, 1, &why));
	assert_true(rmd_offsets_ok((int[]){ 10080 }, 1, &why));
	assert_false(rmd_offsets_ok((int[]){ 10081 }, 1, &why));
	assert_false(rmd_offsets_ok((int[]){ -1 }, 1, &why));
	assert_false(rmd_offsets_ok((int[]){ 60, 0 }, 2, &why));
}

static void
test_offsets_at_most_four_and_no_repeats(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_false(rmd_offsets_ok((int[]){ 20, 30, 40, 50, 60 }, 5, &why));
	assert_string_equal(why, "at most 4 offsets");
	assert_false(rmd_offsets_ok((int[]){ 60, 120, 60 }, 3, &why));
	assert_string_equal(why, "an offset is repeated");
}

static void
test_hhmm(void **state)
{
	int m = -1;

	(void)state;
	assert_true(rmd_hhmm_parse("21:00", &m));
	assert_int_equal(m, 1260);
	assert_true(rmd_hhmm_parse("00:00", &m));
	assert_int_equal(m, 0);
	assert_true(rmd_hhmm_parse("23:59", &m));
	assert_int_equal(m, 1439);
	assert_true(rmd_hhmm_parse("08:05", &m));
	assert_int_equal(m, 485);
	assert_false(rmd_hhmm_parse("24:00", &m));
	assert_false(rmd_hhmm_parse("12:60", &m));
	assert_false(rmd_hhmm_parse("8:00", &m));
	assert_false(rmd_hhmm_parse("08:00:00", &m));
	assert_false(rmd_hhmm_parse("0800", &m));
	assert_false(rmd_hhmm_parse("", &m));
	assert_false(rmd_hhmm_parse(NULL, &m));
	assert_false(rmd_hhmm_parse("ab:cd", &m));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offsets_sorted_largest_first),
		cmocka_unit_test(test_offsets_empty_is_allowed),
		cmocka_unit_test(test_offsets_bounds),
		cmocka_unit_test(test_offsets_at_most_four_and_no_repeats),
		cmocka_unit_test(test_hhmm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
