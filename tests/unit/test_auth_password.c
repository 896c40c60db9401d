/* test_auth_password.c — the password policy: length in characters, no
 * control characters, the common-password list (case-insensitive, sorted
 * for bsearch), the e-mail's local part; and argon2id round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "modules/auth/auth.h"

extern const char *const auth_common_passwords[];
extern const size_t auth_common_passwords_count;

static enum status
check(const char *pw, const char *email, struct err *e)
{
	err_clear(e);
	return auth_password_check(pw, email, e);
}

static void
assert_refused(const char *pw, const char *email, const char *why)
{
	struct err e;

	assert_int_equal(check(pw, email, &e), ST_INVALID);
	assert_int_equal(e.ndetails, 1);
	assert_string_equal(e.details[0].field, "password");
	assert_non_null(strstr(e.details[0].issue, why));
}

static void
test_length_is_counted_in_characters(void **state)
{
	struct err e;
	char long_pw[200];

	assert_refused("Tr0ub4dor&3", NULL, "at least 12");	/* 11 */
	assert_int_equal(check("Tr0ub4dor&3x", NULL, &e), ST_OK);	/* 12 */
	/* 12 characters, 24 bytes: long enough. */
	assert_int_equal(check("ééééééééééé1", NULL, &e), ST_OK);
	memset(long_pw, 'q', 128);
	long_pw[128] = '\0';
	long_pw[0] = 'Z';
	assert_int_equal(check(long_pw, NULL, &e), ST_OK);
	long_pw[128] = 'q';
	long_pw[129] = '\0';
	assert_refused(long_pw, NULL, "at most 128");
}

static void
test_control_characters_are_refused(void **state)
{
	assert_refused("correct horse\tbattery", NULL, "control");
	assert_refused("correct horse\nbattery", NULL, "control");
	assert_refused("correct horse\x7f" "battery", NULL, "control");
}

static void
test_common_passwords_are_refused_in_any_case(void **state)
{
	assert_true(auth_password_is_common("password"));
	assert_true(auth_password_is_common("qwertyuiopasdfghjkl") ||
	    auth_password_is_common("1qaz2wsx3edc"));
	assert_true(auth_password_is_common("1QAZ2WSX3EDC"));
	assert_refused("1qaz2wsx3edc", NULL, "commonly used");
	assert_refused("QwErTy123456", NULL, "commonly used");
	assert_false(auth_password_is_common("violet-kettle-harbour-93"));
}

static void
test_the_list_is_sorted_lower_case_and_sizeable(void **state)
{
	assert_true(auth_common_passwords_count >= 1000);
	for (size_t i = 1; i < auth_common_passwords_count; i++)
		assert_true(strcmp(auth_common_passwords[i - 1], auth_common_passwords[i]) < 0);
	for (size_t i = 0; i < auth_common_passwords_count; i++)
		for (const char *p = auth_common_passwords[i]; *p; p++)
			assert_false(*p >= 'A' && *p <= 'Z');
}

static void
test_email_local_part_is_refused(void **state)
{
	struct err e;

	assert_refused("jane.doe-2024!", "jane.doe@example.com", "e-mail");
	assert_refused("My JANE.DOE pass", "Jane.Doe@example.com", "e-mail");
	assert_int_equal(check("violet-kettle-harbour", "jane.doe@example.com", &e), ST_OK);
	/* Too short a local part to mean anything. */
	assert_int_equal(check("violet-kettle-jo-harbour", "jo@example.com", &e), ST_OK);
}

static void
test_hash_verifies_only_its_password(void **state)
{
	char h[128];

	assert_int_equal(auth_password_hash("violet-kettle-harbour", h), ST_OK);
	assert_non_null(strstr(h, "$argon2id$"));
	assert_true(auth_password_verify(h, "violet-kettle-harbour"));
	assert_false(auth_password_verify(h, "violet-kettle-harbouR"));
	auth_password_verify_dummy("anything at all");
}

static void
test_hashes_with_other_parameters_need_rehash(void **state)
{
	/* libsodium's INTERACTIVE limits (64 MiB), used before OWASP's minimum. */
	static const char old[] = "$argon2id$v=19$m=65536,t=2,p=1$P6FjaNA1xQOkKxn/Hevxiw"
	    "$UvARsfm6Stbjd5UzcS+3wqFrHF3H6ThrbGY08rAiIbM";
	char h[128];

	assert_int_equal(auth_password_hash("violet-kettle-harbour", h), ST_OK);
	assert_non_null(strstr(h, "$m=19456,t=2,p=1$"));
	assert_false(auth_password_needs_rehash(h));
	assert_true(auth_password_verify(old, "old-params-pass-2026"));
	assert_true(auth_password_needs_rehash(old));
	assert_true(auth_password_needs_rehash("not a hash"));
}

static void
test_generated_passwords_pass_the_policy(void **state)
{
	char pw[24];
	struct err e;

	for (int i = 0; i < 20; i++) {
		auth_password_generate(pw, sizeof(pw));
		assert_int_equal(strlen(pw), 23);
		assert_int_equal(check(pw, "someone@example.com", &e), ST_OK);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_length_is_counted_in_characters),
		cmocka_unit_test(test_control_characters_are_refused),
		cmocka_unit_test(test_common_passwords_are_refused_in_any_case),
		cmocka_unit_test(test_the_list_is_sorted_lower_case_and_sizeable),
		cmocka_unit_test(test_email_local_part_is_refused),
		cmocka_unit_test(test_hash_verifies_only_its_password),
		cmocka_unit_test(test_hashes_with_other_parameters_need_rehash),
		cmocka_unit_test(test_generated_passwords_pass_the_policy),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
