/* test_jsonv.c — JSON at the edge: the capped object parser and the
 * table-driven validator, as a caller of the API sees them (status, the
 * details naming each bad field, and the limits). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/jsonv.h"

/* ---- jv_parse_object ------------------------------------------------- */

static enum status
parse(const char *body, size_t len, size_t max, json_t **out, struct err *e)
{
	err_clear(e);
	return jv_parse_object(body, len, max, out, e);
}

static enum status
parse_str(const char *body, json_t **out, struct err *e)
{
	return parse(body, strlen(body), 1 << 20, out, e);
}

static void
test_parse_accepts_an_object(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("{\"a\": 1, \"b\": \"x\"}", &j, &e), ST_OK);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
	json_decref(j);
}

static void
test_parse_accepts_an_empty_object(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("{}", &j, &e), ST_OK);
	assert_int_equal(json_object_size(j), 0);
	json_decref(j);
}

/* Found by tests/fuzz/fuzz_jsonv.c: jansson's message quoted the input up
 * to the first byte of "ˋ", and a message that is not UTF-8 cannot be
 * put in the JSON error body (the caller got the generic message instead
 * of the position). */
static void
test_parse_error_message_is_utf8_when_it_quotes_a_split_character(void **state)
{
	static const char body[] = "{\"a\":\"\\u00e\xcb\x8b\"}";
	struct err e;
	json_t *j, *msg;

	assert_int_equal(parse(body, sizeof(body) - 1, 100, &j, &e), ST_INVALID);
	assert_non_null(strstr(e.message, "Malformed JSON at line 1"));
	msg = json_string(e.message);
	assert_non_null(msg);
	json_decref(msg);
}

static void
test_parse_rejects_an_empty_body(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse("", 0, 100, &j, &e), ST_INVALID);
	assert_null(j);
	assert_non_null(strstr(e.message, "required"));	/* not "malformed" */
}

static void
test_parse_rejects_whitespace_only_body(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("   \n", &j, &e), ST_INVALID);
	assert_null(j);
}

static void
test_parse_body_over_max_is_too_large(void **state)
{
	struct err e;
	json_t *j;
	const char *body = "{\"a\":\"1234\"}";	/* 12 bytes */

	assert_int_equal(parse(body, 12, 11, &j, &e), ST_TOO_LARGE);
	assert_null(j);
	assert_non_null(strstr(e.message, "11"));	/* says what the cap is */
}

static void
test_parse_body_exactly_at_max_is_accepted(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse("{\"a\":\"1234\"}", 12, 12, &j, &e), ST_OK);
	json_decref(j);
}

static void
test_parse_reads_only_len_bytes(void **state)
{
	struct err e;
	json_t *j;

	/* The body is not NUL-terminated at len: bytes after it are not JSON. */
	assert_int_equal(parse("{}garbage", 2, 100, &j, &e), ST_OK);
	json_decref(j);
}

static void
test_parse_rejects_malformed_json_with_position(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("{\"a\": }", &j, &e), ST_INVALID);
	assert_null(j);
	assert_non_null(strstr(e.message, "line 1"));
	assert_non_null(strstr(e.message, "column"));
}

static void
test_parse_rejects_truncated_json(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("{\"a\": 1", &j, &e), ST_INVALID);
	assert_null(j);
}

static void
test_parse_rejects_trailing_garbage(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("{} {}", &j, &e), ST_INVALID);
	assert_null(j);
}

static void
test_parse_rejects_an_array_body(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("[1, 2]", &j, &e), ST_INVALID);
	assert_null(j);
}

static void
test_parse_rejects_a_string_body(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("\"hello\"", &j, &e), ST_INVALID);
	assert_null(j);
}

static void
test_parse_rejects_scalar_bodies(void **state)
{
	static const char *const bodies[] = { "1", "true", "null" };
	struct err e;
	json_t *j;

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(parse_str(bodies[i], &j, &e), ST_INVALID);
		assert_null(j);
	}
}

static void
test_parse_rejects_invalid_utf8_in_a_string(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("{\"a\": \"x\xffy\"}", &j, &e), ST_INVALID);
	assert_null(j);
}

static void
test_parse_rejects_invalid_utf8_in_a_key(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("{\"\xc3\": 1}", &j, &e), ST_INVALID);
	assert_null(j);
}

static void
test_parse_rejects_overlong_utf8(void **state)
{
	struct err e;
	json_t *j;

	/* "\xc0\xaf" is an overlong '/', a classic filter bypass. */
	assert_int_equal(parse_str("{\"a\": \"\xc0\xaf\"}", &j, &e), ST_INVALID);
	assert_null(j);
}

static void
test_parse_rejects_a_lone_surrogate_escape(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("{\"a\": \"\\ud800\"}", &j, &e), ST_INVALID);
	assert_null(j);
}

static void
test_parse_accepts_valid_multibyte_utf8(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("{\"name\": \"Zoë 日本 😀\"}", &j, &e), ST_OK);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "Zoë 日本 😀");
	json_decref(j);
}

static void
test_parse_rejects_duplicate_keys(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("{\"a\": 1, \"a\": 2}", &j, &e), ST_INVALID);
	assert_null(j);
}

static void
test_parse_rejects_nul_escape(void **state)
{
	struct err e;
	json_t *j;

	assert_int_equal(parse_str("{\"a\": \"x\\u0000y\"}", &j, &e), ST_INVALID);
	assert_null(j);
	/* Said to the caller, without Jansson's flag names. */
	assert_non_null(strstr(e.message, "NUL character"));
	assert_null(strstr(e.message, "JSON_"));
}

static void
test_parse_errors_never_name_jansson_flags(void **state)
{
	static const char *const bodies[] = {
		"{\"a\": \"x\\u0000y\"}", "{\"a\": 1, \"a\": 2}", "{\"a\": ", "{} x", "{\"a\" 1}",
		"{\"a\": 1e999999}", "{\"a\": \"\xff\"}", "[1, 2",
	};
	struct err e;
	json_t *j;

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(parse_str(bodies[i], &j, &e), ST_INVALID);
		if (strstr(e.message, "JSON_") != NULL || strstr(e.message, "Malformed JSON") == NULL)
			fail_msg("%s: %s", bodies[i], e.message);
	}
}

static void
test_parse_rejects_raw_nul_byte(void **state)
{
	static const char body[] = "{\"a\": \"x\0y\"}";
	struct err e;
	json_t *j;

	assert_int_equal(parse(body, sizeof(body) - 1, 100, &j, &e), ST_INVALID);
	assert_null(j);
}

/* ---- jv_validate ----------------------------------------------------- */

static const char *const colours[] = { "red", "green", NULL };

static bool
starts_with_plus(const char *s)
{
	return s[0] == '+';
}

static const struct jv_field fields[] = {
	/* name        type       req    null   min  max  choices  check  desc */
	{ "name", JV_STRING, true, false, 1, 10, NULL, NULL, NULL },
	{ "nick", JV_STRING, false, false, 2, 3, NULL, NULL, NULL },
	{ "colour", JV_STRING, false, false, 0, 0, colours, NULL, NULL },
	{ "phone", JV_STRING, false, false, 0, 0, NULL, starts_with_plus, "an E.164 number" },
	{ "code", JV_STRING, false, false, 0, 0, NULL, starts_with_plus, NULL },
	{ "note", JV_STRING, false, true, 0, 0, NULL, NULL, NULL },
	{ "age", JV_INT, false, false, 0, 150, NULL, NULL, NULL },
	{ "offset", JV_INT, false, false, -10, 10, NULL, NULL, NULL },
	{ "count", JV_INT, false, false, 1, 0, NULL, NULL, NULL },
	{ "tags", JV_ARRAY, false, false, 1, 3, NULL, NULL, NULL },
	{ "flag", JV_BOOL, false, false, 0, 0, NULL, NULL, NULL },
	{ "meta", JV_OBJECT, false, false, 0, 0, NULL, NULL, NULL },
	{ "parent", JV_STRING, true, true, 0, 0, NULL, NULL, NULL },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* Validates json (which must parse) against fields, with a cleared err. */
static enum status
validate(const char *json, struct err *e)
{
	json_error_t jerr;
	json_t *obj = json_loads(json, 0, &jerr);
	enum status st;

	if (obj == NULL)
		fail_msg("test JSON does not parse: %s", jerr.text);
	err_clear(e);
	st = jv_validate(obj, fields, NFIELDS, e);
	json_decref(obj);
	return st;
}

/* The issue reported for field, or NULL. */
static const char *
issue_for(const struct err *e, const char *field)
{
	for (size_t i = 0; i < e->ndetails; i++)
		if (strcmp(e->details[i].field, field) == 0)
			return e->details[i].issue;
	return NULL;
}

static void
assert_only_issue(const struct err *e, const char *field, const char *issue)
{
	if (e->ndetails != 1 || issue_for(e, field) == NULL)
		fail_msg("expected one detail for %s, got %zu (first: %s %s)", field,
		    e->ndetails, e->ndetails ? e->details[0].field : "-",
		    e->ndetails ? e->details[0].issue : "-");
	assert_string_equal(issue_for(e, field), issue);
}

#define BASE "\"name\": \"Ann\", \"parent\": null"

static void
test_valid_object_passes(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"nick\": \"an\", \"colour\": \"red\","
	    " \"phone\": \"+1555\", \"age\": 30, \"tags\": [1], \"flag\": true,"
	    " \"meta\": {}, \"note\": null}", &e), ST_OK);
	assert_int_equal(e.ndetails, 0);
}

static void
test_unknown_field_is_reported_by_name(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"admin\": true}", &e), ST_INVALID);
	assert_only_issue(&e, "admin", "is not a known field");
	assert_true(strlen(e.message) > 0);
}

static void
test_field_names_are_case_sensitive(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"Name\": \"x\"}", &e), ST_INVALID);
	assert_only_issue(&e, "Name", "is not a known field");
}

static void
test_missing_required_field_is_reported(void **state)
{
	struct err e;

	assert_int_equal(validate("{\"parent\": null}", &e), ST_INVALID);
	assert_only_issue(&e, "name", "is required");
}

static void
test_null_for_required_field_is_required(void **state)
{
	struct err e;

	assert_int_equal(validate("{\"name\": null, \"parent\": null}", &e), ST_INVALID);
	assert_only_issue(&e, "name", "is required");
}

static void
test_required_nullable_field_accepts_null_but_not_absence(void **state)
{
	struct err e;

	assert_int_equal(validate("{\"name\": \"Ann\", \"parent\": null}", &e), ST_OK);
	assert_int_equal(validate("{\"name\": \"Ann\"}", &e), ST_INVALID);
	assert_only_issue(&e, "parent", "is required");
}

static void
test_nullable_optional_field_accepts_null(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"note\": null}", &e), ST_OK);
}

static void
test_null_for_non_nullable_optional_field_is_rejected(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"nick\": null}", &e), ST_INVALID);
	assert_only_issue(&e, "nick", "must not be null");
}

static void
test_optional_fields_may_be_absent(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE "}", &e), ST_OK);
}

static void
test_wrong_type_for_string(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"nick\": 12}", &e), ST_INVALID);
	assert_only_issue(&e, "nick", "must be a string");
}

static void
test_wrong_type_for_int(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"age\": \"30\"}", &e), ST_INVALID);
	assert_only_issue(&e, "age", "must be an integer");
}

static void
test_real_number_is_not_an_int(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"age\": 30.5}", &e), ST_INVALID);
	assert_only_issue(&e, "age", "must be an integer");
}

static void
test_bool_is_not_an_int(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"age\": true}", &e), ST_INVALID);
	assert_only_issue(&e, "age", "must be an integer");
}

static void
test_wrong_type_for_bool(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"flag\": 1}", &e), ST_INVALID);
	assert_only_issue(&e, "flag", "must be a boolean");
}

static void
test_wrong_type_for_object(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"meta\": []}", &e), ST_INVALID);
	assert_only_issue(&e, "meta", "must be an object");
}

static void
test_wrong_type_for_array(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"tags\": {}}", &e), ST_INVALID);
	assert_only_issue(&e, "tags", "must be an array");
}

static void
test_string_length_counts_characters_not_bytes(void **state)
{
	struct err e;

	/* nick is 2..3 characters: "éé" is 4 bytes, "ééé" is 6. */
	assert_int_equal(validate("{" BASE ", \"nick\": \"éé\"}", &e), ST_OK);
	assert_int_equal(validate("{" BASE ", \"nick\": \"ééé\"}", &e), ST_OK);
	assert_int_equal(validate("{" BASE ", \"nick\": \"日本語\"}", &e), ST_OK);
	assert_int_equal(validate("{" BASE ", \"nick\": \"😀😀\"}", &e), ST_OK);
}

static void
test_string_shorter_than_min_is_rejected(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"nick\": \"é\"}", &e), ST_INVALID);
	assert_only_issue(&e, "nick", "must be at least 2 characters");
}

static void
test_string_longer_than_max_is_rejected(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"nick\": \"éééé\"}", &e), ST_INVALID);
	assert_only_issue(&e, "nick", "must be at most 3 characters");
}

static void
test_string_at_max_length_is_accepted(void **state)
{
	struct err e;

	assert_int_equal(validate("{\"parent\": null, \"name\": \"0123456789\"}", &e), ST_OK);
	assert_int_equal(validate("{\"parent\": null, \"name\": \"01234567890\"}", &e),
	    ST_INVALID);
	assert_only_issue(&e, "name", "must be at most 10 characters");
}

static void
test_empty_string_for_min_one_must_not_be_empty(void **state)
{
	struct err e;

	assert_int_equal(validate("{\"parent\": null, \"name\": \"\"}", &e), ST_INVALID);
	assert_only_issue(&e, "name", "must not be empty");
}

static void
test_string_without_bounds_accepts_long_text(void **state)
{
	char json[5000];
	char note[4001];
	struct err e;

	memset(note, 'x', 4000);
	note[4000] = '\0';
	snprintf(json, sizeof(json), "{" BASE ", \"note\": \"%s\"}", note);
	assert_int_equal(validate(json, &e), ST_OK);
}

static void
test_control_characters_are_rejected(void **state)
{
	struct err e;

	assert_int_equal(validate("{\"parent\": null, \"name\": \"a\\u0001b\"}", &e), ST_INVALID);
	assert_only_issue(&e, "name", "must not contain control characters");
	assert_int_equal(validate("{\"parent\": null, \"name\": \"a\\rb\"}", &e), ST_INVALID);
	assert_int_equal(validate("{\"parent\": null, \"name\": \"a\\u001bb\"}", &e), ST_INVALID);
	assert_int_equal(validate("{\"parent\": null, \"name\": \"a\\u007fb\"}", &e), ST_INVALID);
}

static void
test_tab_and_newline_are_allowed(void **state)
{
	struct err e;

	assert_int_equal(validate("{\"parent\": null, \"name\": \"a\\tb\\nc\"}", &e), ST_OK);
}

static void
test_enum_accepts_listed_values(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"colour\": \"red\"}", &e), ST_OK);
	assert_int_equal(validate("{" BASE ", \"colour\": \"green\"}", &e), ST_OK);
}

static void
test_enum_rejects_other_values(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"colour\": \"blue\"}", &e), ST_INVALID);
	assert_only_issue(&e, "colour", "must be one of the allowed values");
	assert_int_equal(validate("{" BASE ", \"colour\": \"Red\"}", &e), ST_INVALID);
	assert_int_equal(validate("{" BASE ", \"colour\": \"re\"}", &e), ST_INVALID);
	assert_int_equal(validate("{" BASE ", \"colour\": \"\"}", &e), ST_INVALID);
}

static void
test_check_function_failure_uses_check_desc(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"phone\": \"5551234\"}", &e), ST_INVALID);
	assert_only_issue(&e, "phone", "must be an E.164 number");
}

static void
test_check_function_passes(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"phone\": \"+5551234\"}", &e), ST_OK);
}

static void
test_check_without_desc_says_valid(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"code\": \"x\"}", &e), ST_INVALID);
	assert_only_issue(&e, "code", "must be valid");
}

static void
test_int_bounds_are_inclusive(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"age\": 0}", &e), ST_OK);
	assert_int_equal(validate("{" BASE ", \"age\": 150}", &e), ST_OK);
	assert_int_equal(validate("{" BASE ", \"offset\": -10}", &e), ST_OK);
	assert_int_equal(validate("{" BASE ", \"offset\": 10}", &e), ST_OK);
}

static void
test_int_below_min_is_rejected(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"age\": -1}", &e), ST_INVALID);
	assert_only_issue(&e, "age", "must be between 0 and 150");
	assert_int_equal(validate("{" BASE ", \"offset\": -11}", &e), ST_INVALID);
	assert_only_issue(&e, "offset", "must be between -10 and 10");
}

static void
test_int_above_max_is_rejected(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"age\": 151}", &e), ST_INVALID);
	assert_only_issue(&e, "age", "must be between 0 and 150");
}

static void
test_int_without_max_accepts_large_values(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"count\": 9007199254740993}", &e), ST_OK);
}

static void
test_int_without_max_still_has_a_min(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"count\": 0}", &e), ST_INVALID);
	assert_non_null(issue_for(&e, "count"));
}

static void
test_int_without_max_message_does_not_claim_a_max_of_zero(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"count\": 0}", &e), ST_INVALID);
	assert_null(strstr(issue_for(&e, "count"), "and 0"));
}

static void
test_array_item_count_bounds_are_inclusive(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"tags\": [1]}", &e), ST_OK);
	assert_int_equal(validate("{" BASE ", \"tags\": [1, 2, 3]}", &e), ST_OK);
}

static void
test_array_with_too_few_items_is_rejected(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"tags\": []}", &e), ST_INVALID);
	assert_only_issue(&e, "tags", "must have between 1 and 3 items");
}

static void
test_array_with_too_many_items_is_rejected(void **state)
{
	struct err e;

	assert_int_equal(validate("{" BASE ", \"tags\": [1, 2, 3, 4]}", &e), ST_INVALID);
	assert_only_issue(&e, "tags", "must have between 1 and 3 items");
}

static void
test_several_errors_are_reported_at_once(void **state)
{
	struct err e;

	assert_int_equal(validate("{\"parent\": null, \"nick\": 1, \"age\": 999,"
	    " \"colour\": \"blue\", \"extra\": 0}", &e), ST_INVALID);
	assert_int_equal(e.ndetails, 5);
	assert_string_equal(issue_for(&e, "name"), "is required");
	assert_string_equal(issue_for(&e, "nick"), "must be a string");
	assert_string_equal(issue_for(&e, "age"), "must be between 0 and 150");
	assert_string_equal(issue_for(&e, "colour"), "must be one of the allowed values");
	assert_string_equal(issue_for(&e, "extra"), "is not a known field");
}

static void
test_details_are_capped_at_err_details_max(void **state)
{
	char json[2048];
	size_t len;
	struct err e;

	len = (size_t)snprintf(json, sizeof(json), "{" BASE);
	for (int i = 0; i < ERR_DETAILS_MAX + 5; i++)
		len += (size_t)snprintf(json + len, sizeof(json) - len, ", \"x%d\": 1", i);
	snprintf(json + len, sizeof(json) - len, "}");
	assert_int_equal(validate(json, &e), ST_INVALID);
	assert_int_equal(e.ndetails, ERR_DETAILS_MAX);
}

static void
test_validation_fails_even_when_details_are_already_full(void **state)
{
	json_t *obj = json_pack("{s:i}", "unknown", 1);
	struct err e;

	err_clear(&e);
	for (int i = 0; i < ERR_DETAILS_MAX; i++)
		err_detail(&e, "earlier", "was bad");
	assert_int_equal(jv_validate(obj, fields, NFIELDS, &e), ST_INVALID);
	json_decref(obj);
}

/* ---- helpers ---------------------------------------------------------- */

static void
test_utf8_length_counts_code_points(void **state)
{
	assert_int_equal(jv_utf8_length(""), 0);
	assert_int_equal(jv_utf8_length("abc"), 3);
	assert_int_equal(jv_utf8_length("é"), 1);
	assert_int_equal(jv_utf8_length("日本"), 2);
	assert_int_equal(jv_utf8_length("😀a"), 2);
}

static void
test_no_controls_allows_tab_and_newline_only(void **state)
{
	assert_true(jv_no_controls("plain text"));
	assert_true(jv_no_controls("a\tb\nc"));
	assert_true(jv_no_controls("é日本"));
	assert_false(jv_no_controls("a\rb"));
	assert_false(jv_no_controls("\x01"));
	assert_false(jv_no_controls("\x1f"));
	assert_false(jv_no_controls("\x7f"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepts_an_object),
		cmocka_unit_test(test_parse_accepts_an_empty_object),
		cmocka_unit_test(test_parse_rejects_an_empty_body),
		cmocka_unit_test(test_parse_rejects_whitespace_only_body),
		cmocka_unit_test(test_parse_body_over_max_is_too_large),
		cmocka_unit_test(test_parse_body_exactly_at_max_is_accepted),
		cmocka_unit_test(test_parse_reads_only_len_bytes),
		cmocka_unit_test(test_parse_rejects_malformed_json_with_position),
		cmocka_unit_test(test_parse_rejects_truncated_json),
		cmocka_unit_test(test_parse_rejects_trailing_garbage),
		cmocka_unit_test(test_parse_rejects_an_array_body),
		cmocka_unit_test(test_parse_rejects_a_string_body),
		cmocka_unit_test(test_parse_rejects_scalar_bodies),
		cmocka_unit_test(test_parse_rejects_invalid_utf8_in_a_string),
		cmocka_unit_test(test_parse_rejects_invalid_utf8_in_a_key),
		cmocka_unit_test(test_parse_rejects_overlong_utf8),
		cmocka_unit_test(test_parse_rejects_a_lone_surrogate_escape),
		cmocka_unit_test(test_parse_accepts_valid_multibyte_utf8),
		cmocka_unit_test(test_parse_rejects_duplicate_keys),
		cmocka_unit_test(test_parse_rejects_nul_escape),
		cmocka_unit_test(test_parse_errors_never_name_jansson_flags),
		cmocka_unit_test(test_parse_rejects_raw_nul_byte),
		cmocka_unit_test(test_valid_object_passes),
		cmocka_unit_test(test_unknown_field_is_reported_by_name),
		cmocka_unit_test(test_field_names_are_case_sensitive),
		cmocka_unit_test(test_missing_required_field_is_reported),
		cmocka_unit_test(test_null_for_required_field_is_required),
		cmocka_unit_test(test_required_nullable_field_accepts_null_but_not_absence),
		cmocka_unit_test(test_nullable_optional_field_accepts_null),
		cmocka_unit_test(test_null_for_non_nullable_optional_field_is_rejected),
		cmocka_unit_test(test_optional_fields_may_be_absent),
		cmocka_unit_test(test_wrong_type_for_string),
		cmocka_unit_test(test_wrong_type_for_int),
		cmocka_unit_test(test_real_number_is_not_an_int),
		cmocka_unit_test(test_bool_is_not_an_int),
		cmocka_unit_test(test_wrong_type_for_bool),
		cmocka_unit_test(test_wrong_type_for_object),
		cmocka_unit_test(test_wrong_type_for_array),
		cmocka_unit_test(test_string_length_counts_characters_not_bytes),
		cmocka_unit_test(test_string_shorter_than_min_is_rejected),
		cmocka_unit_test(test_string_longer_than_max_is_rejected),
		cmocka_unit_test(test_string_at_max_length_is_accepted),
		cmocka_unit_test(test_empty_string_for_min_one_must_not_be_empty),
		cmocka_unit_test(test_string_without_bounds_accepts_long_text),
		cmocka_unit_test(test_control_characters_are_rejected),
		cmocka_unit_test(test_tab_and_newline_are_allowed),
		cmocka_unit_test(test_enum_accepts_listed_values),
		cmocka_unit_test(test_enum_rejects_other_values),
		cmocka_unit_test(test_check_function_failure_uses_check_desc),
		cmocka_unit_test(test_check_function_passes),
		cmocka_unit_test(test_check_without_desc_says_valid),
		cmocka_unit_test(test_int_bounds_are_inclusive),
		cmocka_unit_test(test_int_below_min_is_rejected),
		cmocka_unit_test(test_int_above_max_is_rejected),
		cmocka_unit_test(test_int_without_max_accepts_large_values),
		cmocka_unit_test(test_int_without_max_still_has_a_min),
		cmocka_unit_test(test_int_without_max_message_does_not_claim_a_max_of_zero),
		cmocka_unit_test(test_array_item_count_bounds_are_inclusive),
		cmocka_unit_test(test_array_with_too_few_items_is_rejected),
		cmocka_unit_test(test_array_with_too_many_items_is_rejected),
		cmocka_unit_test(test_several_errors_are_reported_at_once),
		cmocka_unit_test(test_details_are_capped_at_err_details_max),
		cmocka_unit_test(test_validation_fails_even_when_details_are_already_full),
		cmocka_unit_test(test_utf8_length_counts_code_points),
		cmocka_unit_test(test_no_controls_allows_tab_and_newline_only),
		cmocka_unit_test(test_parse_error_message_is_utf8_when_it_quotes_a_split_character),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
