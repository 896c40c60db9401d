/* test_addr.c — the one e-mail and E.164 check every input uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/addr.h"

static void
test_email_accepts_ordinary_addresses(void **state)
{
	(void)state;
	assert_true(addr_email_ok("ann@example.com"));
	assert_true(addr_email_ok("a.b+c@mail.example.co.uk"));
	assert_true(addr_email_ok("a@b.co"));
	assert_true(addr_email_ok("o'neil_99%x-y@example.ie"));
}

static void
test_email_refuses_broken_shapes(void **state)
{
	(void)state;
	assert_false(addr_email_ok(NULL));
	assert_false(addr_email_ok(""));
	assert_false(addr_email_ok("ann.example.com"));
	assert_false(addr_email_ok("@example.com"));
	assert_false(addr_email_ok("ann@@example.com"));
	assert_false(addr_email_ok("a@b@example.com"));
	assert_false(addr_email_ok("ann@example"));
	assert_false(addr_email_ok("ann@example."));
	assert_false(addr_email_ok("ann@example.c"));	/* a one-letter last label */
	assert_false(addr_email_ok("ann@.com"));
	assert_false(addr_email_ok("ann@example..com"));
}

/* Characters that would end or split the address inside a header. */
static void
test_email_refuses_header_breakers(void **state)
{
	static const char *const bad[] = { "a b@example.com", "a\tb@example.com",
		"a\r\nBcc: x@y.com@example.com", "<script>@x.com", "a,b@example.com",
		"a;b@example.com", "\"a\"@example.com", "a(b)@example.com", "a\\b@example.com",
		"a\x7f@example.com", "a:b@example.com", "a[b]@example.com" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(addr_email_ok(bad[i]));
}

static void
test_email_length_limits(void **state)
{
	char local[70], addr[300];

	(void)state;
	memset(local, 'a', 64);
	local[64] = '\0';
	snprintf(addr, sizeof(addr), "%s@example.com", local);
	assert_true(addr_email_ok(addr));
	snprintf(addr, sizeof(addr), "%sa@example.com", local);	/* 65-byte local part */
	assert_false(addr_email_ok(addr));
	memset(addr, 'b', sizeof(addr));
	memcpy(addr, "a@", 2);
	memcpy(addr + 250, ".com", 5);				/* 254 bytes */
	assert_true(addr_email_ok(addr));
	memset(addr + 250, 'b', 1);
	memcpy(addr + 251, ".com", 5);				/* 255 */
	assert_false(addr_email_ok(addr));
}

static void
test_e164(void **state)
{
	(void)state;
	assert_true(addr_e164_ok("+14155550123"));
	assert_true(addr_e164_ok("+4930123456"));
	assert_true(addr_e164_ok("+1234567"));			/* 7 digits */
	assert_true(addr_e164_ok("+123456789012345"));		/* 15 */
	assert_false(addr_e164_ok("+123456"));			/* 6 */
	assert_false(addr_e164_ok("+1234567890123456"));	/* 16 */
	assert_false(addr_e164_ok("14155550123"));
	assert_false(addr_e164_ok("+04155550123"));
	assert_false(addr_e164_ok("+1 415 555 0123"));
	assert_false(addr_e164_ok("+1415555012a"));
	assert_false(addr_e164_ok(""));
	assert_false(addr_e164_ok(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email_accepts_ordinary_addresses),
		cmocka_unit_test(test_email_refuses_broken_shapes),
		cmocka_unit_test(test_email_refuses_header_breakers),
		cmocka_unit_test(test_email_length_limits),
		cmocka_unit_test(test_e164),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
