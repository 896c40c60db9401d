/* test_tenants_host.c — which Host headers name a tenant subdomain: exactly
 * one lower-case DNS label in front of the platform domain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "modules/tenants/tenants.h"

static char slug[64];

static bool
slug_of(const char *host)
{
	memset(slug, '?', sizeof(slug) - 1);
	slug[sizeof(slug) - 1] = '\0';
	return tenants_host_slug(host, "localhost", slug, sizeof(slug));
}

static void
test_subdomain_gives_the_slug(void **state)
{
	assert_true(slug_of("demo.localhost"));
	assert_string_equal(slug, "demo");
}

static void
test_digits_and_inner_hyphens_are_allowed(void **state)
{
	assert_true(slug_of("salon-42.localhost"));
	assert_string_equal(slug, "salon-42");
	assert_true(slug_of("7.localhost"));
	assert_string_equal(slug, "7");
}

static void
test_single_letter_label_is_allowed(void **state)
{
	assert_true(slug_of("a.localhost"));
	assert_string_equal(slug, "a");
}

static void
test_two_labels_are_not_a_tenant(void **state)
{
	assert_false(slug_of("a.b.localhost"));
	assert_false(slug_of("www.demo.localhost"));
}

static void
test_bare_platform_domain_is_not_a_tenant(void **state)
{
	assert_false(slug_of("localhost"));
	assert_false(slug_of(".localhost"));
	assert_false(slug_of(""));
}

static void
test_platform_domain_must_be_the_suffix(void **state)
{
	assert_false(slug_of("demo.localhost.evil.com"));
	assert_false(slug_of("demo.localhost."));
	assert_false(slug_of("demo.localhostx"));
	assert_false(slug_of("demo.localhast"));
	assert_false(slug_of("demo.xocalhost"));
}

static void
test_suffix_must_start_at_a_label_boundary(void **state)
{
	assert_false(slug_of("evil-localhost"));
	assert_false(slug_of("evillocalhost"));
	assert_false(slug_of("demo.evillocalhost"));
}

static void
test_upper_case_is_rejected(void **state)
{
	/* The HTTP layer lower-cases Host; anything else is not ours. */
	assert_false(slug_of("Demo.localhost"));
	assert_false(slug_of("DEMO.localhost"));
}

static void
test_leading_or_trailing_hyphen_is_rejected(void **state)
{
	assert_false(slug_of("-demo.localhost"));
	assert_false(slug_of("demo-.localhost"));
	assert_false(slug_of("-.localhost"));
}

static void
test_other_characters_are_rejected(void **state)
{
	static const char *const bad[] = {
		"de_mo.localhost", "de mo.localhost", "dé.localhost", "de%2e.localhost",
		"demo:80.localhost", "de*mo.localhost",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (slug_of(bad[i]))
			fail_msg("accepted %s", bad[i]);
}

static void
test_63_char_label_is_accepted(void **state)
{
	char host[128];

	memset(host, 'a', 63);
	strcpy(host + 63, ".localhost");
	assert_true(slug_of(host));
	assert_int_equal(strlen(slug), 63);
}

static void
test_64_char_label_is_rejected(void **state)
{
	char host[128];
	char big[128];

	memset(host, 'a', 64);
	strcpy(host + 64, ".localhost");
	assert_false(slug_of(host));
	/* The label limit holds whatever room the caller has. */
	assert_false(tenants_host_slug(host, "localhost", big, sizeof(big)));
}

static void
test_slug_that_does_not_fit_the_buffer_is_rejected(void **state)
{
	char small[5];

	assert_false(tenants_host_slug("salon.localhost", "localhost", small, sizeof(small)));
	assert_true(tenants_host_slug("demo.localhost", "localhost", small, sizeof(small)));
	assert_string_equal(small, "demo");
}

static void
test_multi_label_platform_domain(void **state)
{
	char s[64];

	assert_true(tenants_host_slug("acme.example.com", "example.com", s, sizeof(s)));
	assert_string_equal(s, "acme");
	assert_false(tenants_host_slug("acme.notexample.com", "example.com", s, sizeof(s)));
	assert_false(tenants_host_slug("example.com", "example.com", s, sizeof(s)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subdomain_gives_the_slug),
		cmocka_unit_test(test_digits_and_inner_hyphens_are_allowed),
		cmocka_unit_test(test_single_letter_label_is_allowed),
		cmocka_unit_test(test_two_labels_are_not_a_tenant),
		cmocka_unit_test(test_bare_platform_domain_is_not_a_tenant),
		cmocka_unit_test(test_platform_domain_must_be_the_suffix),
		cmocka_unit_test(test_suffix_must_start_at_a_label_boundary),
		cmocka_unit_test(test_upper_case_is_rejected),
		cmocka_unit_test(test_leading_or_trailing_hyphen_is_rejected),
		cmocka_unit_test(test_other_characters_are_rejected),
		cmocka_unit_test(test_63_char_label_is_accepted),
		cmocka_unit_test(test_64_char_label_is_rejected),
		cmocka_unit_test(test_slug_that_does_not_fit_the_buffer_is_rejected),
		cmocka_unit_test(test_multi_label_platform_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
