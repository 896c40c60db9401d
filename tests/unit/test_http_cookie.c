/* test_http_cookie.c — reading one cookie from a request's Cookie headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "http/http.h"

static const char *
cookie_of(struct arena *a, const char *const *values, size_t n, const char *name)
{
	struct http_header hs[4];
	struct request r = { .arena = a, .headers = hs, .nheaders = n };

	for (size_t i = 0; i < n; i++)
		hs[i] = (struct http_header){ "cookie", values[i], strlen(values[i]) };
	return http_cookie(&r, name);
}

static void
test_finds_among_others(void **state)
{
	struct arena a;
	const char *one[] = { "theme=dark; rcp_session=abc123; lang=en" };
	const char *first[] = { "rcp_session=xyz;theme=dark" };
	const char *padded[] = { "rcp_session=tok ; x=1" };

	(void)state;
	arena_init(&a, 1024);
	assert_string_equal(cookie_of(&a, one, 1, "rcp_session"), "abc123");
	assert_string_equal(cookie_of(&a, first, 1, "rcp_session"), "xyz");
	assert_string_equal(cookie_of(&a, padded, 1, "rcp_session"), "tok");
	arena_free(&a);
}

/* HTTP/2 may send each cookie in its own header. */
static void
test_split_headers(void **state)
{
	struct arena a;
	const char *split[] = { "theme=dark", "rcp_session=abc" };

	(void)state;
	arena_init(&a, 1024);
	assert_string_equal(cookie_of(&a, split, 2, "rcp_session"), "abc");
	arena_free(&a);
}

static void
test_absent_empty_lookalike_or_too_long(void **state)
{
	struct arena a;
	char longv[200] = "rcp_session=";
	const char *none[] = { "theme=dark" };
	const char *empty[] = { "rcp_session=; theme=dark" };
	const char *alike[] = { "xrcp_session=abc; rcp_sessionx=def" };
	const char *toolong[] = { longv };

	(void)state;
	arena_init(&a, 1024);
	memset(longv + 12, 'a', 129);
	assert_null(cookie_of(&a, none, 1, "rcp_session"));
	assert_null(cookie_of(&a, none, 0, "rcp_session"));
	assert_null(cookie_of(&a, empty, 1, "rcp_session"));
	assert_null(cookie_of(&a, alike, 1, "rcp_session"));
	assert_null(cookie_of(&a, toolong, 1, "rcp_session"));	/* 129 bytes */
	longv[12 + 128] = '\0';
	assert_non_null(cookie_of(&a, toolong, 1, "rcp_session"));	/* 128 */
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_among_others),
		cmocka_unit_test(test_split_headers),
		cmocka_unit_test(test_absent_empty_lookalike_or_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
