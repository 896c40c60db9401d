/* test_db_errors.c — PostgreSQL error texts as the log gets them: the row
 * values PostgreSQL quotes back (e-mails, phones in a unique violation's
 * DETAIL, the failing row of a check, bad input) are taken out; the
 * column and constraint names stay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "db/db.h"

static char out[256];

static const char *
clean(const char *in)
{
	memset(out, '?', sizeof(out));
	db_error_without_values(in, out, sizeof(out));
	return out;
}

static void
test_unique_violation_detail_loses_the_values(void **state)
{
	assert_string_equal(clean("Key (email)=(jane@example.com) already exists."),
	    "Key (email)=(...) already exists.");
	assert_string_equal(clean("Key (tenant_id, lower(email::text))=(0f0f, jane@x.io) already exists."),
	    "Key (tenant_id, lower(email::text))=(...) already exists.");
	assert_string_equal(clean("Key (phone)=(+14155550123) is not present in table \"customers\"."),
	    "Key (phone)=(...) is not present in table \"customers\".");
}

static void
test_failing_row_loses_the_values(void **state)
{
	assert_string_equal(clean("Failing row contains (1, jane@example.com, (a), null)."),
	    "Failing row contains (...).");
}

static void
test_quoted_input_loses_the_value(void **state)
{
	assert_string_equal(clean("invalid input syntax for type uuid: \"+14155550123\""),
	    "invalid input syntax for type uuid: \"...\"");
}

static void
test_names_stay(void **state)
{
	static const char *const same[] = {
		"duplicate key value violates unique constraint \"customers_email_key\"",
		"new row for relation \"bookings\" violates check constraint \"bookings_check\"",
		"value too long for type character varying(20)",
		"",
	};

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		assert_string_equal(clean(same[i]), same[i]);
}

static void
test_fits_a_small_buffer(void **state)
{
	char small[8];

	memset(small, 'Z', sizeof(small));
	db_error_without_values("Key (email)=(jane@example.com) already exists.", small, 6);
	assert_true(strlen(small) < 6);
	assert_int_equal(small[6], 'Z');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unique_violation_detail_loses_the_values),
		cmocka_unit_test(test_failing_row_loses_the_values),
		cmocka_unit_test(test_quoted_input_loses_the_value),
		cmocka_unit_test(test_names_stay),
		cmocka_unit_test(test_fits_a_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
