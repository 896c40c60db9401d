/* test_log_mask.c — masking e-mail addresses and phone numbers before they
 * reach a log line: enough left to tell two apart, never the whole thing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "core/log.h"

static char out[128];

static const char *
email(const char *in)
{
	memset(out, '?', sizeof(out));
	log_mask_email(in, out, sizeof(out));
	return out;
}

static const char *
phone(const char *in)
{
	memset(out, '?', sizeof(out));
	log_mask_phone(in, out, sizeof(out));
	return out;
}

static void
test_email_documented_example(void **state)
{
	assert_string_equal(email("jane.doe@example.com"), "j***@e***.com");
}

static void
test_email_never_contains_the_local_part(void **state)
{
	static const char *const cases[][2] = {
		{ "jane.doe@example.com", "jane.doe" },
		{ "jd@example.com", "jd" },
		{ "jane+tag@example.com", "jane" },
		{ "j.d@x.io", "j.d" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strstr(email(cases[i][0]), cases[i][1]) != NULL)
			fail_msg("%s masked as %s", cases[i][0], out);
}

static void
test_email_never_contains_the_domain_name(void **state)
{
	assert_null(strstr(email("jane@example.com"), "example"));
	assert_null(strstr(email("jane@mail.example.co.uk"), "example"));
	assert_null(strstr(email("jane@mail.example.co.uk"), "mail"));
}

static void
test_email_mask_does_not_reveal_the_local_length(void **state)
{
	char one[64];

	strcpy(one, email("a@example.com"));
	assert_string_equal(one, email("alexandra@example.com"));
	assert_string_equal(one, "a***@e***.com");
}

static void
test_email_keeps_only_the_top_level_domain(void **state)
{
	assert_string_equal(email("jane@mail.example.co.uk"), "j***@m***.uk");
}

static void
test_email_without_at_sign_is_fully_masked(void **state)
{
	assert_string_equal(email("not-an-address"), "***");
	assert_string_equal(email(""), "***");
}

static void
test_email_with_empty_local_part_is_fully_masked(void **state)
{
	assert_string_equal(email("@example.com"), "***");
}

static void
test_email_with_dotless_or_empty_domain(void **state)
{
	assert_string_equal(email("root@localhost"), "r***@***");
	assert_string_equal(email("root@"), "r***@***");
	assert_string_equal(email("root@.com"), "r***@***");
	assert_null(strstr(email("root@localhost"), "localhost"));
}

static void
test_email_mask_fits_a_small_buffer(void **state)
{
	char small[6];

	memset(small, 'Z', sizeof(small));
	log_mask_email("jane.doe@example.com", small, 5);
	assert_string_equal(small, "j***");
	assert_int_equal(small[5], 'Z');
}

static void
test_email_mask_is_valid_utf8_for_non_ascii_input(void **state)
{
	json_t *s;

	s = json_string(email("élodie@example.com"));
	assert_non_null(s);
	json_decref(s);
	s = json_string(email("jane@über.de"));
	assert_non_null(s);
	json_decref(s);
}

static void
test_phone_documented_example(void **state)
{
	assert_string_equal(phone("+15551234567"), "+1*******567");
}

static void
test_phone_never_contains_the_full_number(void **state)
{
	static const char *const cases[] = {
		"+15551234567", "+447911123456", "5551234", "123456", "+33 6 12 34 56 78",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strstr(phone(cases[i]), cases[i]) != NULL)
			fail_msg("%s masked as %s", cases[i], out);
}

static void
test_phone_hides_the_middle_digits(void **state)
{
	assert_null(strstr(phone("+15551234567"), "5551234"));
	assert_null(strstr(out, "1234"));
}

static void
test_phone_mask_does_not_reveal_the_length(void **state)
{
	char a[64];

	strcpy(a, phone("+15551234567"));
	assert_int_equal(strlen(a), strlen(phone("+4915112345678567")));
}

static void
test_short_phone_is_fully_masked(void **state)
{
	assert_string_equal(phone(""), "***");
	assert_string_equal(phone("911"), "***");
	assert_string_equal(phone("12345"), "***");
}

static void
test_six_character_phone_is_partly_masked(void **state)
{
	assert_string_equal(phone("123456"), "12*******456");
}

static void
test_phone_mask_fits_a_small_buffer(void **state)
{
	char small[6];

	memset(small, 'Z', sizeof(small));
	log_mask_phone("+15551234567", small, 5);
	assert_string_equal(small, "+1**");
	assert_int_equal(small[5], 'Z');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email_documented_example),
		cmocka_unit_test(test_email_never_contains_the_local_part),
		cmocka_unit_test(test_email_never_contains_the_domain_name),
		cmocka_unit_test(test_email_mask_does_not_reveal_the_local_length),
		cmocka_unit_test(test_email_keeps_only_the_top_level_domain),
		cmocka_unit_test(test_email_without_at_sign_is_fully_masked),
		cmocka_unit_test(test_email_with_empty_local_part_is_fully_masked),
		cmocka_unit_test(test_email_with_dotless_or_empty_domain),
		cmocka_unit_test(test_email_mask_fits_a_small_buffer),
		cmocka_unit_test(test_email_mask_is_valid_utf8_for_non_ascii_input),
		cmocka_unit_test(test_phone_documented_example),
		cmocka_unit_test(test_phone_never_contains_the_full_number),
		cmocka_unit_test(test_phone_hides_the_middle_digits),
		cmocka_unit_test(test_phone_mask_does_not_reveal_the_length),
		cmocka_unit_test(test_short_phone_is_fully_masked),
		cmocka_unit_test(test_six_character_phone_is_partly_masked),
		cmocka_unit_test(test_phone_mask_fits_a_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
