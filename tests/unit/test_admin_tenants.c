/* test_admin_tenants.c — the pure parts of the tenant settings API: the
 * WCAG contrast ratio behind the branding warning, widget origin and
 * custom host name normalisation, platform-domain detection, and the DNS
 * TXT answer parser used by domain verification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "../../src/modules/tenants/tenants_admin.c"

/* ---- contrast ----------------------------------------------------------------- */

static void
test_contrast_extremes(void **state)
{
	assert_true(fabs(contrast_on_white("#000000") - 21.0) < 0.01);
	assert_true(fabs(contrast_on_white("#ffffff") - 1.0) < 0.001);
	assert_true(fabs(contrast_on_white("#FFFFFF") - 1.0) < 0.001);
}

static void
test_contrast_known_values(void **state)
{
	/* Reference values from the WCAG formula (WebAIM's checker). */
	assert_true(fabs(contrast_on_white("#2563eb") - 5.17) < 0.01);
	assert_true(fabs(contrast_on_white("#767676") - 4.54) < 0.01);
	assert_true(fabs(contrast_on_white("#777777") - 4.48) < 0.01);
	assert_true(fabs(contrast_on_white("#ff0000") - 4.0) < 0.01);
	assert_true(fabs(contrast_on_white("#0000ff") - 8.59) < 0.01);
}

static void
test_contrast_threshold_is_wcag_aa(void **state)
{
	assert_true(contrast_on_white("#767676") >= WCAG_AA_MIN);	/* the lightest grey that passes */
	assert_true(contrast_on_white("#777777") < WCAG_AA_MIN);
	assert_true(contrast_on_white("#ffff00") < WCAG_AA_MIN);
	assert_true(contrast_on_white("#1e40af") >= WCAG_AA_MIN);	/* the default accent */
}

static void
warn(const char *field, const char *colour, json_t *warnings, struct arena *a)
{
	struct err e;
	struct ctx c;
	json_t *input = json_pack("{s:s}", field, colour);
	struct admin_op op = { .ctx = &c, .input = input, .warnings = warnings };

	err_clear(&e);
	ctx_init(&c, ACTOR_OPERATOR, a, &e, NULL, NULL);

	assert_int_equal(branding_validate(&op), ST_OK);	/* never an error */
	json_decref(input);
}

static void
test_contrast_warning_names_the_field(void **state)
{
	struct arena a;
	json_t *w = json_array();

	arena_init(&a, 1024);
	warn("primary_color", "#ffff00", w, &a);
	warn("accent_color", "#000000", w, &a);
	warn("accent_color", "#777777", w, &a);
	assert_int_equal(json_array_size(w), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(w, 0), "field")),
	    "primary_color");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(w, 0), "issue")),
	    "1.07:1"));
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(w, 1), "issue")),
	    "4.47:1"));	/* rounded down: never shown as passing */
	json_decref(w);
	arena_free(&a);
}

/* ---- origins and host names ---------------------------------------------------------- */

static const char *
origin(struct arena *a, const char *in, struct err *e)
{
	err_clear(e);
	return origin_normalise(a, in, "origin", e);
}

static void
test_origin_normalised(void **state)
{
	struct arena a;
	struct err e;
	struct { const char *in, *out; } ok[] = {
		{ "https://shop.example.com", "https://shop.example.com" },
		{ "HTTPS://Shop.Example.COM", "https://shop.example.com" },
		{ "https://shop.example.com/", "https://shop.example.com" },
		{ "https://shop.example.com:443", "https://shop.example.com" },
		{ "http://localhost:80", "http://localhost" },
		{ "http://localhost:8080", "http://localhost:8080" },
		{ "https://shop.example.com:80", "https://shop.example.com:80" },
		{ "http://127.0.0.1:3000/", "http://127.0.0.1:3000" },
	};

	arena_init(&a, 1024);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *got = origin(&a, ok[i].in, &e);

		assert_non_null(got);
		assert_string_equal(got, ok[i].out);
	}
	arena_free(&a);
}

static void
test_origin_refused(void **state)
{
	struct arena a;
	struct err e;
	const char *bad[] = {
		"shop.example.com", "ftp://shop.example.com", "https://shop.example.com/path",
		"https://shop.example.com?x=1", "https://shop.example.com#f",
		"https://user@shop.example.com", "https://", "https://:443", "https://a..b",
		"https://-a.example.com", "https://shop.example.com:0",
		"https://shop.example.com:65536", "https://shop.example.com:", "https://sh op.com",
		"https://shop.example.com//", "https://[::1]", "https://shop_1.example.com",
		"javascript://x",
	};

	arena_init(&a, 1024);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(origin(&a, bad[i], &e));
		assert_int_equal(e.ndetails, 1);
		assert_string_equal(e.details[0].field, "origin");
	}
	arena_free(&a);
}

static void
test_hostname_normalised_and_refused(void **state)
{
	struct arena a;
	struct err e;
	const char *bad[] = { "localhost", "example", "1.2.3.4", "a..b.com", "-a.com",
		"a-.com", "a_b.com", "", ".", "a.b.com/x" };

	arena_init(&a, 1024);
	err_clear(&e);
	assert_string_equal(hostname_normalise(&a, "Book.Example.COM.", "hostname", &e),
	    "book.example.com");
	assert_string_equal(hostname_normalise(&a, "xn--bcher-kva.example", "hostname", &e),
	    "xn--bcher-kva.example");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		assert_null(hostname_normalise(&a, bad[i], "hostname", &e));
		assert_string_equal(e.details[0].field, "hostname");
	}
	arena_free(&a);
}

static void
test_platform_domain_detection(void **state)
{
	assert_true(under_domain("localhost", "localhost"));
	assert_true(under_domain("x.localhost", "localhost"));
	assert_true(under_domain("a.b.receptionist.app", "receptionist.app"));
	assert_false(under_domain("notreceptionist.app", "receptionist.app"));
	assert_false(under_domain("receptionist.app.evil.com", "receptionist.app"));
}

/* ---- DNS TXT answers ------------------------------------------------------------------- */

/* An answer to "_r.ex.com TXT" with a two-string TXT record, an A record
 * and a second TXT record; the answers name the question by pointer. */
static const unsigned char answer[] = {
	0x12, 0x34, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0,
	2, '_', 'r', 2, 'e', 'x', 3, 'c', 'o', 'm', 0, 0, 16, 0, 1,
	0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 12, 5, 'h', 'e', 'l', 'l', 'o',
	5, 'w', 'o', 'r', 'l', 'd',
	0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1,
	0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 4, 3, 't', 'o', 'k',
};

static void
test_txt_parse_joins_strings_and_skips_other_types(void **state)
{
	struct arena a;
	const char *out[4];

	arena_init(&a, 1024);
	assert_int_equal(txt_parse(&a, answer, sizeof(answer), out, 4), 2);
	assert_string_equal(out[0], "helloworld");
	assert_string_equal(out[1], "tok");
	assert_int_equal(txt_parse(&a, answer, sizeof(answer), out, 1), 1);
	arena_free(&a);
}

static void
test_txt_parse_refuses_truncated_messages(void **state)
{
	struct arena a;
	const char *out[4];
	unsigned char bad[sizeof(answer)];

	arena_init(&a, 1024);
	for (size_t n = 0; n < sizeof(answer); n++)
		assert_int_equal(txt_parse(&a, answer, n, out, 4), -1);
	/* A string length running past its record. */
	memcpy(bad, answer, sizeof(answer));
	bad[39] = 200;
	assert_int_equal(txt_parse(&a, bad, sizeof(bad), out, 4), -1);
	/* A label length with the reserved bits set. */
	memcpy(bad, answer, sizeof(answer));
	bad[12] = 0x80;
	assert_int_equal(txt_parse(&a, bad, sizeof(bad), out, 4), -1);
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contrast_extremes),
		cmocka_unit_test(test_contrast_known_values),
		cmocka_unit_test(test_contrast_threshold_is_wcag_aa),
		cmocka_unit_test(test_contrast_warning_names_the_field),
		cmocka_unit_test(test_origin_normalised),
		cmocka_unit_test(test_origin_refused),
		cmocka_unit_test(test_hostname_normalised_and_refused),
		cmocka_unit_test(test_platform_domain_detection),
		cmocka_unit_test(test_txt_parse_joins_strings_and_skips_other_types),
		cmocka_unit_test(test_txt_parse_refuses_truncated_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
