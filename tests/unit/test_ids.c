/* test_ids.c — UUID checks, random v4 UUIDs and request ids (client-given
 * ones are accepted only within their length and alphabet). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/ids.h"

static int
setup(void **state)
{
	return sodium_init() < 0 ? -1 : 0;
}

static void
test_uuid_accepts_canonical_lower_case(void **state)
{
	assert_true(id_is_uuid("123e4567-e89b-12d3-a456-426614174000"));
	assert_true(id_is_uuid("00000000-0000-0000-0000-000000000000"));
}

static void
test_uuid_accepts_upper_and_mixed_case(void **state)
{
	assert_true(id_is_uuid("123E4567-E89B-12D3-A456-426614174ABC"));
	assert_true(id_is_uuid("abcdefAB-cdEF-1234-abcd-ABCDEF012345"));
}

static void
test_uuid_rejects_wrong_length(void **state)
{
	assert_false(id_is_uuid(""));
	assert_false(id_is_uuid("123e4567-e89b-12d3-a456-42661417400"));	/* 35 */
	assert_false(id_is_uuid("123e4567-e89b-12d3-a456-4266141740000"));	/* 37 */
	assert_false(id_is_uuid("123e4567"));
}

static void
test_uuid_rejects_a_trailing_character(void **state)
{
	assert_false(id_is_uuid("123e4567-e89b-12d3-a456-426614174000 "));
	assert_false(id_is_uuid("123e4567-e89b-12d3-a456-426614174000\n"));
	assert_false(id_is_uuid("123e4567-e89b-12d3-a456-426614174000}"));
}

static void
test_uuid_rejects_missing_or_moved_dashes(void **state)
{
	assert_false(id_is_uuid("123e4567e89b12d3a456426614174000"));
	assert_false(id_is_uuid("123e4567e-89b-12d3-a456-426614174000"));
	assert_false(id_is_uuid("123e4567-e89b-12d3-a4564-26614174000"));
	assert_false(id_is_uuid("123e4567_e89b_12d3_a456_426614174000"));
	assert_false(id_is_uuid("123e4567-e89b-12d3-a456-42661417-000"));	/* extra dash */
}

static void
test_uuid_rejects_non_hex(void **state)
{
	assert_false(id_is_uuid("123e4567-e89b-12d3-a456-42661417400g"));
	assert_false(id_is_uuid("g23e4567-e89b-12d3-a456-426614174000"));
	assert_false(id_is_uuid("123e4567-e89b-12d3-a456-42661417400 "));
	assert_false(id_is_uuid("{23e4567-e89b-12d3-a456-426614174000"));
	assert_false(id_is_uuid("123e4567-e89b-12d3-a456-4266141740\xc3\xa9"));
}

static void
test_uuid_v4_is_a_canonical_lower_case_uuid(void **state)
{
	char u[UUID_STR_LEN + 1];

	id_uuid_v4(u);
	assert_int_equal(strlen(u), UUID_STR_LEN);
	assert_true(id_is_uuid(u));
	for (const char *c = u; *c; c++)
		assert_false(*c >= 'A' && *c <= 'F');
}

static void
test_uuid_v4_has_version_and_variant_bits(void **state)
{
	char u[UUID_STR_LEN + 1];

	for (int i = 0; i < 200; i++) {
		id_uuid_v4(u);
		assert_int_equal(u[14], '4');
		assert_non_null(strchr("89ab", u[19]));
	}
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_uuid_v4_is_unique_over_1000_draws(void **state)
{
	enum { N = 1000 };
	char (*u)[UUID_STR_LEN + 1] = malloc(N * sizeof(*u));

	assert_non_null(u);
	for (int i = 0; i < N; i++)
		id_uuid_v4(u[i]);
	qsort(u, N, sizeof(*u), cmp);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(u[i - 1], u[i]);
	free(u);
}

static void
test_request_id_is_26_chars_of_lower_case_base32(void **state)
{
	char id[REQUEST_ID_MAX + 1];

	for (int i = 0; i < 100; i++) {
		id_request_id(id);
		assert_int_equal(strlen(id), 26);
		/* Crockford-style: no i, l, o, u to misread. */
		assert_int_equal(strspn(id, "0123456789abcdefghjkmnpqrstvwxyz"), 26);
	}
}

static void
test_request_ids_use_the_whole_alphabet(void **state)
{
	/* 130 bits of randomness only if all 32 symbols are used. Over 2600
	 * symbols, missing one by chance has probability ~1e-34. */
	const char *alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
	bool seen[32] = { false };
	char id[REQUEST_ID_MAX + 1];

	for (int i = 0; i < 100; i++) {
		id_request_id(id);
		for (const char *c = id; *c; c++)
			seen[strchr(alphabet, *c) - alphabet] = true;
	}
	for (int i = 0; i < 32; i++)
		if (!seen[i])
			fail_msg("symbol %c never drawn", alphabet[i]);
}

static void
test_generated_request_id_is_accepted_back(void **state)
{
	char id[REQUEST_ID_MAX + 1];

	id_request_id(id);
	assert_true(id_request_id_ok(id, strlen(id)));
}

static void
test_request_ids_are_unique_over_1000_draws(void **state)
{
	enum { N = 1000 };
	char (*id)[REQUEST_ID_MAX + 1] = malloc(N * sizeof(*id));

	assert_non_null(id);
	for (int i = 0; i < N; i++)
		id_request_id(id[i]);
	qsort(id, N, sizeof(*id), cmp);
	for (int i = 1; i < N; i++)
		assert_string_not_equal(id[i - 1], id[i]);
	free(id);
}

static void
test_request_id_ok_accepts_the_allowed_alphabet(void **state)
{
	const char *s = "Req-1.2_abcXYZ";

	assert_true(id_request_id_ok(s, strlen(s)));
	assert_true(id_request_id_ok("a", 1));
	assert_true(id_request_id_ok("123e4567-e89b-12d3-a456-426614174000", 36));
}

static void
test_request_id_ok_accepts_64_chars(void **state)
{
	char s[REQUEST_ID_MAX + 2];

	memset(s, 'a', sizeof(s));
	assert_int_equal(REQUEST_ID_MAX, 64);
	assert_true(id_request_id_ok(s, 64));
}

static void
test_request_id_ok_rejects_65_chars(void **state)
{
	char s[REQUEST_ID_MAX + 2];

	memset(s, 'a', sizeof(s));
	assert_false(id_request_id_ok(s, 65));
}

static void
test_request_id_ok_rejects_empty(void **state)
{
	assert_false(id_request_id_ok("", 0));
}

static void
test_request_id_ok_rejects_bad_characters(void **state)
{
	static const char *const bad[] = {
		"has space", "semi;colon", "new\nline", "quote\"", "slash/", "colon:",
		"tab\t", "caf\xc3\xa9", "back\\slash", "%41", "a+b", "<script>",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (id_request_id_ok(bad[i], strlen(bad[i])))
			fail_msg("accepted %s", bad[i]);
}

static void
test_request_id_ok_checks_exactly_n_bytes(void **state)
{
	/* Header values are not NUL-terminated: a NUL inside n is a bad byte,
	 * a bad byte after n is none of our business. */
	assert_false(id_request_id_ok("ab\0cd", 5));
	assert_true(id_request_id_ok("abc;", 3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid_accepts_canonical_lower_case),
		cmocka_unit_test(test_uuid_accepts_upper_and_mixed_case),
		cmocka_unit_test(test_uuid_rejects_wrong_length),
		cmocka_unit_test(test_uuid_rejects_a_trailing_character),
		cmocka_unit_test(test_uuid_rejects_missing_or_moved_dashes),
		cmocka_unit_test(test_uuid_rejects_non_hex),
		cmocka_unit_test(test_uuid_v4_is_a_canonical_lower_case_uuid),
		cmocka_unit_test(test_uuid_v4_has_version_and_variant_bits),
		cmocka_unit_test(test_uuid_v4_is_unique_over_1000_draws),
		cmocka_unit_test(test_request_id_is_26_chars_of_lower_case_base32),
		cmocka_unit_test(test_request_ids_use_the_whole_alphabet),
		cmocka_unit_test(test_generated_request_id_is_accepted_back),
		cmocka_unit_test(test_request_ids_are_unique_over_1000_draws),
		cmocka_unit_test(test_request_id_ok_accepts_the_allowed_alphabet),
		cmocka_unit_test(test_request_id_ok_accepts_64_chars),
		cmocka_unit_test(test_request_id_ok_rejects_65_chars),
		cmocka_unit_test(test_request_id_ok_rejects_empty),
		cmocka_unit_test(test_request_id_ok_rejects_bad_characters),
		cmocka_unit_test(test_request_id_ok_checks_exactly_n_bytes),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
