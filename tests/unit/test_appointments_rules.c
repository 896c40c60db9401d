/* test_appointments_rules.c — the booking rules that need no database:
 * references a person can read on the phone, the customer policy window,
 * RFC 3339 start times (offset required), the status machine, contact
 * formats, hold tokens, list cursors and query strings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "core/cursor.h"
#include "http/http.h"
#include "modules/appointments/appt_rules.h"
#include "core/time.h"

/* References ------------------------------------------------------------------ */

static void
test_reference_uses_only_the_readable_alphabet(void **state)
{
	static const char allowed[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
	char ref[APPT_REF_LEN + 1];

	for (int i = 0; i < 5000; i++) {
		appt_reference_new(ref);
		assert_int_equal(strlen(ref), 6);
		for (int k = 0; k < 6; k++)
			assert_non_null(strchr(allowed, ref[k]));
	}
	/* The characters people confuse are not in it. */
	for (const char *c = "01OIL"; *c; c++)
		assert_null(strchr(APPT_REF_ALPHABET, *c));
	assert_int_equal(strlen(APPT_REF_ALPHABET), 31);
}

static void
test_reference_draws_every_character_and_rarely_repeats(void **state)
{
	char ref[APPT_REF_LEN + 1];
	int seen[128] = { 0 };
	char prev[APPT_REF_LEN + 1] = "";
	int repeats = 0;

	for (int i = 0; i < 20000; i++) {
		appt_reference_new(ref);
		for (int k = 0; k < 6; k++)
			seen[(unsigned char)ref[k]]++;
		repeats += strcmp(prev, ref) == 0;
		memcpy(prev, ref, sizeof(ref));
	}
	for (const char *c = APPT_REF_ALPHABET; *c; c++) {
		/* 120000 draws over 31 symbols: ~3871 each; a biased or stuck
		 * generator falls far outside this band. */
		assert_true(seen[(unsigned char)*c] > 3300);
		assert_true(seen[(unsigned char)*c] < 4450);
	}
	assert_int_equal(repeats, 0);
}

static void
test_reference_normalize_accepts_what_customers_type(void **state)
{
	char out[APPT_REF_LEN + 1];

	assert_true(appt_reference_normalize("k7m4qx", out));
	assert_string_equal(out, "K7M4QX");
	assert_true(appt_reference_normalize("  K7M4QX ", out));
	assert_string_equal(out, "K7M4QX");
	assert_false(appt_reference_normalize("K7M4Q", out));	/* short */
	assert_false(appt_reference_normalize("K7M4QXX", out));	/* long */
	assert_false(appt_reference_normalize("K7M4Q0", out));	/* zero */
	assert_false(appt_reference_normalize("K7M4QO", out));	/* letter O */
	assert_false(appt_reference_normalize("K7M QX", out));
	assert_false(appt_reference_normalize("", out));
	assert_false(appt_reference_normalize(NULL, out));
	assert_false(appt_reference_normalize("K7M4Q%", out));
}

/* RFC 3339 --------------------------------------------------------------------- */

static int64_t
utc(int y, int m, int d, int h, int mi, int s)
{
	return (int64_t)tz_days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
}

static void
test_rfc3339_offsets_name_the_instant(void **state)
{
	int64_t t;

	assert_true(appt_parse_rfc3339("2026-03-08T10:00:00-04:00", &t));
	assert_int_equal(t, utc(2026, 3, 8, 14, 0, 0));
	assert_true(appt_parse_rfc3339("2026-03-08T14:00:00Z", &t));
	assert_int_equal(t, utc(2026, 3, 8, 14, 0, 0));
	assert_true(appt_parse_rfc3339("2026-03-08t14:00:00z", &t));
	assert_int_equal(t, utc(2026, 3, 8, 14, 0, 0));
	/* Kathmandu's +05:45 and a date that changes in UTC. */
	assert_true(appt_parse_rfc3339("2026-01-01T03:30:00+05:45", &t));
	assert_int_equal(t, utc(2025, 12, 31, 21, 45, 0));
	assert_true(appt_parse_rfc3339("2026-12-31T23:30:00-01:00", &t));
	assert_int_equal(t, utc(2027, 1, 1, 0, 30, 0));
	/* A zero fraction is the same instant. */
	assert_true(appt_parse_rfc3339("2026-03-08T14:00:00.000Z", &t));
	assert_int_equal(t, utc(2026, 3, 8, 14, 0, 0));
	assert_true(appt_parse_rfc3339("2028-02-29T00:00:00+00:00", &t));
}

static void
test_rfc3339_refuses_what_is_ambiguous_or_wrong(void **state)
{
	static const char *const bad[] = {
		"2026-03-08T10:00:00",		/* no offset: whose 10:00? */
		"2026-03-08T10:00-04:00",	/* no seconds */
		"2026-03-08 10:00:00Z",		/* space */
		"2026-03-08T10:00:00.500Z",	/* not a whole second */
		"2026-03-08T24:00:00Z",
		"2026-03-08T10:60:00Z",
		"2026-03-08T10:00:60Z",		/* leap second */
		"2026-02-29T10:00:00Z",		/* not a leap year */
		"2026-13-01T10:00:00Z",
		"2026-04-31T10:00:00Z",
		"2026-03-08T10:00:00+24:00",
		"2026-03-08T10:00:00+05:60",
		"2026-03-08T10:00:00+0500",
		"2026-03-08T10:00:00Zjunk",
		"26-03-08T10:00:00Z",
		"1899-12-31T23:59:59Z",
		"2026-03-08T10:00:00.Z",
		"",
	};
	int64_t t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (appt_parse_rfc3339(bad[i], &t))
			fail_msg("accepted %s", bad[i]);
	}
	assert_false(appt_parse_rfc3339(NULL, &t));
}

/* Policy window ------------------------------------------------------------------ */

static void
test_policy_window_closes_n_hours_before_the_start(void **state)
{
	int64_t start = utc(2026, 6, 1, 15, 0, 0);

	assert_int_equal(appt_policy_deadline(start, 2), start - 7200);
	assert_true(appt_policy_allows(start - 7201, start, 2));
	assert_true(appt_policy_allows(start - 7200, start, 2));	/* at the deadline */
	assert_false(appt_policy_allows(start - 7199, start, 2));
	assert_false(appt_policy_allows(start - 60, start, 2));
	assert_false(appt_policy_allows(start + 60, start, 2));
	/* 24 hours: the day before at the same time. */
	assert_true(appt_policy_allows(start - 86400, start, 24));
	assert_false(appt_policy_allows(start - 86399, start, 24));
}

static void
test_policy_without_window_allows_until_the_start(void **state)
{
	int64_t start = utc(2026, 6, 1, 15, 0, 0);

	assert_int_equal(appt_policy_deadline(start, 0), start);
	assert_true(appt_policy_allows(start - 1, start, 0));
	assert_false(appt_policy_allows(start, start, 0));	/* it has started */
	assert_false(appt_policy_allows(start + 1, start, 0));
	assert_int_equal(appt_policy_deadline(start, -5), start);
}

/* Statuses ------------------------------------------------------------------------ */

static void
test_status_names_round_trip(void **state)
{
	for (int s = 0; s < APPT__STATUS_COUNT; s++) {
		enum appt_status got = APPT__STATUS_COUNT;

		assert_true(appt_status_parse(appt_status_name((enum appt_status)s), &got));
		assert_int_equal(got, s);
	}
	assert_string_equal(appt_status_name(APPT_NO_SHOW), "NO_SHOW");
	assert_string_equal(appt_status_name((enum appt_status)99), "UNKNOWN");
}

static void
test_status_parse_is_exact(void **state)
{
	enum appt_status s = APPT_PENDING;

	assert_false(appt_status_parse("confirmed", &s));
	assert_false(appt_status_parse("CONFIRMED ", &s));
	assert_false(appt_status_parse("SCHEDULED", &s));
	assert_false(appt_status_parse(NULL, &s));
	assert_int_equal(s, APPT_PENDING);
}

static void
test_status_transition_table(void **state)
{
	/* The whole table, row by row: from → the targets allowed. */
	static const struct {
		enum appt_status from;
		const char *allowed;	/* initials: P C I D(one) X(cancelled) N */
	} rows[] = {
		{ APPT_PENDING, "C" },
		{ APPT_CONFIRMED, "IDN" },
		{ APPT_IN_PROGRESS, "D" },
		{ APPT_COMPLETED, "" },
		{ APPT_CANCELLED, "" },
		{ APPT_NO_SHOW, "" },
	};
	static const char initials[] = "PCIDXN";

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		for (int to = 0; to < APPT__STATUS_COUNT; to++) {
			bool want = strchr(rows[i].allowed, initials[to]) != NULL;

			if (appt_status_transition_ok(rows[i].from, (enum appt_status)to) != want)
				fail_msg("%s -> %s should be %s", appt_status_name(rows[i].from),
				    appt_status_name((enum appt_status)to), want ? "allowed" : "refused");
		}
	}
	assert_false(appt_status_transition_ok((enum appt_status)-1, APPT_CONFIRMED));
	assert_false(appt_status_transition_ok(APPT_CONFIRMED, APPT__STATUS_COUNT));
}

static void
test_only_pending_and_confirmed_hold_their_time(void **state)
{
	assert_true(appt_status_is_active(APPT_PENDING));
	assert_true(appt_status_is_active(APPT_CONFIRMED));
	assert_false(appt_status_is_active(APPT_IN_PROGRESS));
	assert_false(appt_status_is_active(APPT_COMPLETED));
	assert_false(appt_status_is_active(APPT_CANCELLED));
	assert_false(appt_status_is_active(APPT_NO_SHOW));
}

/* Hold tokens ------------------------------------------------------------------------ */

static void
test_hold_tokens_are_random_and_checked(void **state)
{
	char a[APPT_HOLD_TOKEN_SIZE], b[APPT_HOLD_TOKEN_SIZE];
	char ha[65], hb[65];

	appt_hold_token_new(a);
	appt_hold_token_new(b);
	assert_int_equal(strlen(a), APPT_HOLD_TOKEN_SIZE - 1);
	assert_true(appt_hold_token_ok(a));
	assert_true(appt_hold_token_ok(b));
	assert_string_not_equal(a, b);
	appt_hold_token_hash_hex(a, ha);
	appt_hold_token_hash_hex(b, hb);
	assert_int_equal(strlen(ha), 64);
	assert_string_not_equal(ha, hb);
	appt_hold_token_hash_hex(a, hb);
	assert_string_equal(ha, hb);
	assert_false(appt_hold_token_ok("hold_short"));
	a[10] = '!';
	assert_false(appt_hold_token_ok(a));
	assert_false(appt_hold_token_ok(NULL));
}

/* Cursors and query strings ------------------------------------------------------------ */

static void
test_cursor_round_trips_and_rejects_garbage(void **state)
{
	struct arena a;
	const char *v[2];
	char *c;

	arena_init(&a, 1024);
	c = cursor_encode(&a, (const char *[]){ "1773000000",
	    "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f" }, 2);
	assert_true(cursor_decode(&a, c, v, 2));
	assert_string_equal(v[0], "1773000000");
	assert_string_equal(v[1], "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f");
	assert_false(cursor_decode(&a, "!!!", v, 2));
	assert_false(cursor_decode(&a, "", v, 2));
	assert_false(cursor_decode(&a, "bm9iYXI", v, 2));	/* "nobar" */
	arena_free(&a);
}

static void
test_query_parse_decodes_and_keeps_repeats(void **state)
{
	struct http_qparam p[APPT_QPARAMS_MAX];
	struct arena a;
	size_t n;

	arena_init(&a, 1024);
	assert_int_equal(http_query_split(&a, "service_id=a&service_id=b&date=2026-03-08&x=%2Bone+two&flag",
	    p, APPT_QPARAMS_MAX, &n), HTTP_QUERY_OK);
	assert_int_equal(n, 5);
	assert_string_equal(p[0].name, "service_id");
	assert_string_equal(p[1].value, "b");
	assert_string_equal(p[3].value, "+one two");
	assert_string_equal(p[4].name, "flag");
	assert_string_equal(p[4].value, "");
	assert_int_equal(http_query_split(&a, NULL, p, APPT_QPARAMS_MAX, &n), HTTP_QUERY_OK);
	assert_int_equal(n, 0);
	assert_int_equal(http_query_split(&a, "&&", p, APPT_QPARAMS_MAX, &n), HTTP_QUERY_OK);
	assert_int_equal(n, 0);
	assert_int_equal(http_query_split(&a, "a=%zz", p, APPT_QPARAMS_MAX, &n), HTTP_QUERY_MALFORMED);
	assert_int_equal(http_query_split(&a, "a=%4", p, APPT_QPARAMS_MAX, &n), HTTP_QUERY_MALFORMED);
	assert_int_equal(http_query_split(&a, "a=%00", p, APPT_QPARAMS_MAX, &n), HTTP_QUERY_MALFORMED);
	assert_int_equal(http_query_split(&a, "a=1&b=2&c=3", p, 2, &n), HTTP_QUERY_TOO_MANY);
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_uses_only_the_readable_alphabet),
		cmocka_unit_test(test_reference_draws_every_character_and_rarely_repeats),
		cmocka_unit_test(test_reference_normalize_accepts_what_customers_type),
		cmocka_unit_test(test_rfc3339_offsets_name_the_instant),
		cmocka_unit_test(test_rfc3339_refuses_what_is_ambiguous_or_wrong),
		cmocka_unit_test(test_policy_window_closes_n_hours_before_the_start),
		cmocka_unit_test(test_policy_without_window_allows_until_the_start),
		cmocka_unit_test(test_status_names_round_trip),
		cmocka_unit_test(test_status_parse_is_exact),
		cmocka_unit_test(test_status_transition_table),
		cmocka_unit_test(test_only_pending_and_confirmed_hold_their_time),
		cmocka_unit_test(test_hold_tokens_are_random_and_checked),
		cmocka_unit_test(test_cursor_round_trips_and_rejects_garbage),
		cmocka_unit_test(test_query_parse_decodes_and_keeps_repeats),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
