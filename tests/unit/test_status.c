/* test_status.c — the status → HTTP table the API renders errors from, and
 * the error-detail helpers with their size limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "core/status.h"

static const struct {
	enum status st;
	int http;
	const char *code;
} expected[] = {
	{ ST_OK, 200, "OK" },
	{ ST_INVALID, 400, "INVALID_ARGUMENT" },
	{ ST_UNAUTHENTICATED, 401, "UNAUTHENTICATED" },
	{ ST_FORBIDDEN, 403, "FORBIDDEN" },
	{ ST_NOTFOUND, 404, "NOT_FOUND" },
	{ ST_METHOD, 405, "METHOD_NOT_ALLOWED" },
	{ ST_CONFLICT, 409, "CONFLICT" },
	{ ST_TOO_LARGE, 413, "PAYLOAD_TOO_LARGE" },
	{ ST_UNSUPPORTED_MEDIA, 415, "UNSUPPORTED_MEDIA_TYPE" },
	{ ST_UNPROCESSABLE, 422, "UNPROCESSABLE" },
	{ ST_RATE_LIMITED, 429, "RATE_LIMITED" },
	{ ST_INTERNAL, 500, "INTERNAL" },
	{ ST_UPSTREAM, 502, "UPSTREAM" },
	{ ST_UNAVAILABLE, 503, "UNAVAILABLE" },
	{ ST_TIMEOUT, 504, "TIMEOUT" },
};

static void
test_every_status_is_in_the_expected_table(void **state)
{
	assert_int_equal(sizeof(expected) / sizeof(expected[0]), ST__COUNT);
	for (int st = 0; st < ST__COUNT; st++)
		assert_int_equal(expected[st].st, st);
}

static void
test_every_status_maps_to_its_http_code(void **state)
{
	for (size_t i = 0; i < ST__COUNT; i++)
		if (status_http(expected[i].st) != expected[i].http)
			fail_msg("%s: HTTP %d, want %d", expected[i].code,
			    status_http(expected[i].st), expected[i].http);
}

static void
test_every_status_maps_to_its_error_code(void **state)
{
	for (size_t i = 0; i < ST__COUNT; i++)
		assert_string_equal(status_code(expected[i].st), expected[i].code);
}

static void
test_seed_error_codes(void **state)
{
	assert_string_equal(status_code(ST_INVALID), "INVALID_ARGUMENT");
	assert_int_equal(status_http(ST_INVALID), 400);
	assert_string_equal(status_code(ST_UNAUTHENTICATED), "UNAUTHENTICATED");
	assert_int_equal(status_http(ST_UNAUTHENTICATED), 401);
	assert_string_equal(status_code(ST_FORBIDDEN), "FORBIDDEN");
	assert_int_equal(status_http(ST_FORBIDDEN), 403);
	assert_string_equal(status_code(ST_NOTFOUND), "NOT_FOUND");
	assert_int_equal(status_http(ST_NOTFOUND), 404);
	assert_string_equal(status_code(ST_CONFLICT), "CONFLICT");
	assert_int_equal(status_http(ST_CONFLICT), 409);
	assert_string_equal(status_code(ST_RATE_LIMITED), "RATE_LIMITED");
	assert_int_equal(status_http(ST_RATE_LIMITED), 429);
	assert_string_equal(status_code(ST_INTERNAL), "INTERNAL");
	assert_int_equal(status_http(ST_INTERNAL), 500);
}

static void
test_every_status_has_a_default_message(void **state)
{
	for (int st = 0; st < ST__COUNT; st++) {
		const char *m = status_default_message((enum status)st);

		assert_non_null(m);
		assert_true(strlen(m) > 0);
	}
}

static void
test_error_codes_are_distinct(void **state)
{
	for (int a = 0; a < ST__COUNT; a++)
		for (int b = a + 1; b < ST__COUNT; b++)
			assert_string_not_equal(status_code((enum status)a),
			    status_code((enum status)b));
}

static void
test_out_of_range_status_is_internal(void **state)
{
	static const int bad[] = { ST__COUNT, ST__COUNT + 1, 1000, -1 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum status st = (enum status)bad[i];

		assert_int_equal(status_http(st), 500);
		assert_string_equal(status_code(st), "INTERNAL");
		assert_string_equal(status_default_message(st),
		    status_default_message(ST_INTERNAL));
	}
}

static void
test_err_clear_empties_everything(void **state)
{
	struct err e;

	memset(&e, 'x', sizeof(e));
	err_clear(&e);
	assert_string_equal(e.message, "");
	assert_int_equal(e.ndetails, 0);
	assert_int_equal(e.retry_after, 0);
}

static void
test_err_set_formats_and_returns_the_status(void **state)
{
	struct err e;

	err_clear(&e);
	assert_int_equal(err_set(&e, ST_CONFLICT, "slot %d is %s", 3, "taken"), ST_CONFLICT);
	assert_string_equal(e.message, "slot 3 is taken");
}

static void
test_err_set_replaces_the_previous_message(void **state)
{
	struct err e;

	err_clear(&e);
	(void)err_set(&e, ST_INVALID, "first, and longer");
	(void)err_set(&e, ST_INVALID, "second");
	assert_string_equal(e.message, "second");
}

static void
test_err_set_truncates_at_err_text_max(void **state)
{
	char longer[ERR_TEXT_MAX * 2];
	struct err e;

	memset(longer, 'm', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	err_clear(&e);
	(void)err_set(&e, ST_INVALID, "%s", longer);
	assert_int_equal(strlen(e.message), ERR_TEXT_MAX - 1);
	assert_int_equal(e.message[0], 'm');
}

static void
test_err_detail_appends_field_and_issue(void **state)
{
	struct err e;

	err_clear(&e);
	err_detail(&e, "email", "must be at most %d characters", 254);
	err_detail(&e, "name", "is required");
	assert_int_equal(e.ndetails, 2);
	assert_string_equal(e.details[0].field, "email");
	assert_string_equal(e.details[0].issue, "must be at most 254 characters");
	assert_string_equal(e.details[1].field, "name");
	assert_string_equal(e.details[1].issue, "is required");
}

static void
test_err_detail_truncates_long_field_names(void **state)
{
	char field[200];
	struct err e;

	memset(field, 'f', sizeof(field) - 1);
	field[sizeof(field) - 1] = '\0';
	err_clear(&e);
	err_detail(&e, field, "x");
	assert_int_equal(strlen(e.details[0].field), sizeof(e.details[0].field) - 1);
	assert_int_equal(strlen(e.details[0].field), 63);
}

static void
test_err_detail_truncates_long_issues(void **state)
{
	char issue[400];
	struct err e;

	memset(issue, 'i', sizeof(issue) - 1);
	issue[sizeof(issue) - 1] = '\0';
	err_clear(&e);
	err_detail(&e, "f", "%s", issue);
	assert_int_equal(strlen(e.details[0].issue), sizeof(e.details[0].issue) - 1);
	assert_int_equal(strlen(e.details[0].issue), 159);
}

/* Found by tests/fuzz/fuzz_jsonv.c: a field name cut at 63 bytes in the
 * middle of "é" was not UTF-8, so the whole error body fell back to the
 * generic message. The cut character becomes '?'. */
static void
test_err_detail_cut_inside_a_character_stays_utf8(void **state)
{
	char field[200] = "";
	struct err e;

	for (int i = 0; i < 40; i++)
		strcat(field, "\xc3\xa9");	/* "é" × 40: byte 63 is half of one */
	err_clear(&e);
	err_detail(&e, field, "is not a known field");
	assert_int_equal(strlen(e.details[0].field), 63);
	assert_memory_equal(e.details[0].field, field, 62);
	assert_int_equal(e.details[0].field[62], '?');
}

static void
test_err_set_replaces_bytes_that_are_not_utf8(void **state)
{
	struct err e;

	err_clear(&e);
	/* What jansson reports for '{"a":"\u00e' followed by "ˋ": its
	 * "near" text stops after the first byte of the character. */
	(void)err_set(&e, ST_INVALID, "invalid escape near '%s'", "\"\\u00e\xcb");
	assert_string_equal(e.message, "invalid escape near '\"\\u00e?'");
	(void)err_set(&e, ST_INVALID, "%s", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_string_equal(e.message, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");	/* kept */
	(void)err_set(&e, ST_INVALID, "%s", "\xc0\xaf \xed\xa0\x80 \xff");	/* overlong, surrogate */
	assert_string_equal(e.message, "?? ??? ?");
}

static void
test_err_detail_keeps_a_field_name_with_a_percent_sign(void **state)
{
	struct err e;

	err_clear(&e);
	err_detail(&e, "a%sb", "x");	/* field is data, not a format */
	assert_string_equal(e.details[0].field, "a%sb");
}

static void
test_err_detail_drops_details_past_the_cap(void **state)
{
	struct err e;

	err_clear(&e);
	for (int i = 0; i < ERR_DETAILS_MAX + 3; i++)
		err_detail(&e, "f", "issue %d", i);
	assert_int_equal(e.ndetails, ERR_DETAILS_MAX);
	assert_string_equal(e.details[ERR_DETAILS_MAX - 1].issue, "issue 15");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_status_is_in_the_expected_table),
		cmocka_unit_test(test_every_status_maps_to_its_http_code),
		cmocka_unit_test(test_every_status_maps_to_its_error_code),
		cmocka_unit_test(test_seed_error_codes),
		cmocka_unit_test(test_every_status_has_a_default_message),
		cmocka_unit_test(test_error_codes_are_distinct),
		cmocka_unit_test(test_out_of_range_status_is_internal),
		cmocka_unit_test(test_err_clear_empties_everything),
		cmocka_unit_test(test_err_set_formats_and_returns_the_status),
		cmocka_unit_test(test_err_set_replaces_the_previous_message),
		cmocka_unit_test(test_err_set_truncates_at_err_text_max),
		cmocka_unit_test(test_err_detail_appends_field_and_issue),
		cmocka_unit_test(test_err_detail_truncates_long_field_names),
		cmocka_unit_test(test_err_detail_truncates_long_issues),
		cmocka_unit_test(test_err_detail_keeps_a_field_name_with_a_percent_sign),
		cmocka_unit_test(test_err_detail_drops_details_past_the_cap),
		cmocka_unit_test(test_err_detail_cut_inside_a_character_stays_utf8),
		cmocka_unit_test(test_err_set_replaces_bytes_that_are_not_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
