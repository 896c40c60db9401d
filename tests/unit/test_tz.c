/* test_tz.c — zone maths: wall time ↔ instant across DST gaps and repeated
 * hours in the zones the scheduling issue names, RFC 3339 with offsets,
 * the calendar helpers, and agreement with ICU's own wall-time resolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "core/time.h"

static struct arena arena;

static int
setup(void **state)
{
	arena_init(&arena, 0);
	return 0;
}

static int
teardown(void **state)
{
	arena_free(&arena);
	return 0;
}

static struct tz *
zone(const char *id)
{
	struct tz *z = NULL;

	assert_int_equal(tz_open(&arena, id, &z), ST_OK);
	return z;
}

static int32_t
day(const char *s)
{
	int32_t d = 0;

	assert_true(tz_date_parse(s, &d));
	return d;
}

/* Wall time "YYYY-MM-DD HH:MM" as wall seconds. */
static int64_t
wall(const char *date, int h, int m)
{
	return (int64_t)day(date) * TZ_DAY_S + h * 3600 + m * 60;
}

/* Instant of a UTC date and time. */
static int64_t
utc(const char *date, int h, int m)
{
	return wall(date, h, m);
}

static const char *
fmt(struct tz *z, int64_t t)
{
	static char buf[TZ_RFC3339_SIZE];

	tz_format_rfc3339(z, t, buf);
	return buf;
}

/* ---- opening zones ----------------------------------------------------- */

static void
test_unknown_zone_is_invalid(void **state)
{
	struct tz *z = NULL;

	assert_int_equal(tz_open(&arena, "Mars/Olympus_Mons", &z), ST_INVALID);
	assert_null(z);
	/* ICU's own placeholder must not pass for a zone either. */
	assert_int_equal(tz_open(&arena, "Etc/Unknown", &z), ST_INVALID);
}

static void
test_malformed_zone_ids_are_invalid(void **state)
{
	struct tz *z = NULL;
	char longid[TZ_ID_MAX + 8];

	memset(longid, 'A', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(tz_open(&arena, NULL, &z), ST_INVALID);
	assert_int_equal(tz_open(&arena, "", &z), ST_INVALID);
	assert_int_equal(tz_open(&arena, "America/New York", &z), ST_INVALID);
	assert_int_equal(tz_open(&arena, "Europe/London\n", &z), ST_INVALID);
	assert_int_equal(tz_open(&arena, "utc", &z), ST_INVALID);
	assert_int_equal(tz_open(&arena, longid, &z), ST_INVALID);
}

static void
test_known_zone_opens_and_keeps_its_id(void **state)
{
	struct tz *z = zone("Australia/Lord_Howe");

	assert_string_equal(tz_id(z), "Australia/Lord_Howe");
	assert_false(tz_failed(z));
}

/* ---- America/New_York -------------------------------------------------- */

static void
test_new_york_spring_forward_time_does_not_exist(void **state)
{
	struct tz *z = zone("America/New_York");
	int64_t out[2];

	/* 2026-03-08: clocks go 01:59:59 EST → 03:00:00 EDT. */
	assert_int_equal(tz_resolve(z, wall("2026-03-08", 2, 30), out), 0);
	assert_int_equal(tz_resolve(z, wall("2026-03-08", 1, 59), out), 1);
	assert_int_equal(out[0], utc("2026-03-08", 6, 59));
	assert_int_equal(tz_resolve(z, wall("2026-03-08", 3, 0), out), 1);
	assert_int_equal(out[0], utc("2026-03-08", 7, 0));
}

static void
test_new_york_gap_maps_to_the_jump(void **state)
{
	struct tz *z = zone("America/New_York");

	/* The clock reaches 02:30 (or later) first at the jump, 07:00Z. */
	assert_int_equal(tz_from_wall(z, wall("2026-03-08", 2, 30)), utc("2026-03-08", 7, 0));
	assert_int_equal(tz_from_wall(z, wall("2026-03-08", 2, 0)), utc("2026-03-08", 7, 0));
	assert_string_equal(fmt(z, utc("2026-03-08", 7, 0)), "2026-03-08T03:00:00-04:00");
	assert_string_equal(fmt(z, utc("2026-03-08", 6, 59)), "2026-03-08T01:59:00-05:00");
}

static void
test_new_york_fall_back_time_happens_twice(void **state)
{
	struct tz *z = zone("America/New_York");
	int64_t out[2];

	/* 2026-11-01: clocks go 01:59:59 EDT → 01:00:00 EST. */
	assert_int_equal(tz_resolve(z, wall("2026-11-01", 1, 30), out), 2);
	assert_int_equal(out[0], utc("2026-11-01", 5, 30));
	assert_int_equal(out[1], utc("2026-11-01", 6, 30));
	assert_string_equal(fmt(z, out[0]), "2026-11-01T01:30:00-04:00");
	assert_string_equal(fmt(z, out[1]), "2026-11-01T01:30:00-05:00");
	/* from_wall takes the first. */
	assert_int_equal(tz_from_wall(z, wall("2026-11-01", 1, 30)), out[0]);
}

static void
test_new_york_transitions_are_found(void **state)
{
	struct tz *z = zone("America/New_York");
	int64_t at = 0;

	assert_true(tz_next_transition(z, utc("2026-01-01", 0, 0), &at));
	assert_int_equal(at, utc("2026-03-08", 7, 0));
	assert_true(tz_next_transition(z, at, &at));
	assert_int_equal(at, utc("2026-11-01", 6, 0));
	assert_int_equal(tz_offset_at(z, at - 1), -4 * 3600);
	assert_int_equal(tz_offset_at(z, at), -5 * 3600);
}

/* ---- Europe/London ----------------------------------------------------- */

static void
test_london_gap_and_repeat(void **state)
{
	struct tz *z = zone("Europe/London");
	int64_t out[2];

	/* 2026-03-29 01:00 GMT → 02:00 BST; 2026-10-25 02:00 BST → 01:00 GMT. */
	assert_int_equal(tz_resolve(z, wall("2026-03-29", 1, 15), out), 0);
	assert_int_equal(tz_from_wall(z, wall("2026-03-29", 1, 15)), utc("2026-03-29", 1, 0));
	assert_int_equal(tz_resolve(z, wall("2026-10-25", 1, 15), out), 2);
	assert_int_equal(out[0], utc("2026-10-25", 0, 15));
	assert_int_equal(out[1], utc("2026-10-25", 1, 15));
	assert_string_equal(fmt(z, out[0]), "2026-10-25T01:15:00+01:00");
	assert_string_equal(fmt(z, out[1]), "2026-10-25T01:15:00+00:00");
}

/* ---- Australia/Lord_Howe: a 30-minute shift ---------------------------- */

static void
test_lord_howe_half_hour_gap(void **state)
{
	struct tz *z = zone("Australia/Lord_Howe");
	int64_t out[2];

	/* 2026-10-04: 02:00 +10:30 → 02:30 +11:00. */
	assert_int_equal(tz_resolve(z, wall("2026-10-04", 2, 15), out), 0);
	assert_int_equal(tz_resolve(z, wall("2026-10-04", 2, 30), out), 1);
	assert_int_equal(tz_resolve(z, wall("2026-10-04", 1, 59), out), 1);
	assert_int_equal(tz_from_wall(z, wall("2026-10-04", 2, 0)), out[0] + 60);
	assert_string_equal(fmt(z, out[0] + 60), "2026-10-04T02:30:00+11:00");
}

static void
test_lord_howe_half_hour_repeat(void **state)
{
	struct tz *z = zone("Australia/Lord_Howe");
	int64_t out[2];

	/* 2026-04-05: 02:00 +11:00 → 01:30 +10:30; 01:30–02:00 happens twice,
	 * half an hour apart. */
	assert_int_equal(tz_resolve(z, wall("2026-04-05", 1, 45), out), 2);
	assert_int_equal(out[1] - out[0], 30 * 60);
	assert_string_equal(fmt(z, out[0]), "2026-04-05T01:45:00+11:00");
	assert_string_equal(fmt(z, out[1]), "2026-04-05T01:45:00+10:30");
	assert_int_equal(tz_resolve(z, wall("2026-04-05", 1, 29), out), 1);
}

/* ---- Asia/Kathmandu and zones without DST ------------------------------ */

static void
test_kathmandu_quarter_hour_offset(void **state)
{
	struct tz *z = zone("Asia/Kathmandu");
	int64_t out[2];

	assert_int_equal(tz_resolve(z, wall("2026-06-01", 9, 0), out), 1);
	assert_int_equal(out[0], utc("2026-06-01", 3, 15));
	assert_string_equal(fmt(z, out[0]), "2026-06-01T09:00:00+05:45");
}

static void
test_zone_without_dst_has_one_instant_per_wall_time(void **state)
{
	static const char *const ids[] = { "Asia/Tokyo", "UTC" };

	for (size_t k = 0; k < 2; k++) {
		struct tz *z = zone(ids[k]);
		int off = k == 0 ? 9 * 3600 : 0;
		int64_t out[2], t0 = wall("2026-01-01", 0, 0);

		/* Every half hour of 2026. */
		for (int64_t w = t0; w < t0 + 365 * (int64_t)TZ_DAY_S; w += 1800) {
			assert_int_equal(tz_resolve(z, w, out), 1);
			assert_int_equal(out[0], w - off);
		}
	}
}

static void
test_utc_formats_with_zero_offset(void **state)
{
	struct tz *z = zone("UTC");

	assert_string_equal(fmt(z, utc("2026-07-04", 12, 0)), "2026-07-04T12:00:00+00:00");
}

/* ---- local dates ------------------------------------------------------- */

static void
test_local_day_follows_the_wall_clock(void **state)
{
	struct tz *ny = zone("America/New_York"), *tokyo = zone("Asia/Tokyo");
	int64_t t = utc("2026-03-02", 3, 0);

	assert_int_equal(tz_local_day(ny, t), day("2026-03-01"));
	assert_int_equal(tz_local_day(tokyo, t), day("2026-03-02"));
	assert_int_equal(tz_local_day(tokyo, utc("2026-03-02", 15, 0)), day("2026-03-03"));
}

/* ---- preloading is only a speed-up ------------------------------------- */

static void
test_preloaded_table_matches_icu(void **state)
{
	static const char *const ids[] = { "America/New_York", "Europe/London",
	    "Australia/Lord_Howe", "Asia/Kathmandu", "Asia/Tokyo" };
	int64_t from = utc("2026-02-20", 0, 0), to = utc("2026-11-20", 0, 0);

	for (size_t k = 0; k < 5; k++) {
		struct tz *plain = zone(ids[k]), *fast = zone(ids[k]);

		tz_preload(fast, from + 7 * TZ_DAY_S, to - 7 * TZ_DAY_S);
		for (int64_t t = from; t < to; t += 600) {
			int64_t a = 0, b = 0;
			bool ha, hb;

			assert_int_equal(tz_offset_at(plain, t), tz_offset_at(fast, t));
			ha = tz_next_transition(plain, t, &a);
			hb = tz_next_transition(fast, t, &b);
			assert_int_equal(ha, hb);
			if (ha)
				assert_int_equal(a, b);
		}
	}
}

/* ---- agreement with ICU's own resolution ------------------------------- */

/* ICU resolves a wall time the way tz_from_wall promises when told:
 * repeated → first, skipped → next valid (the jump). */
static int64_t
icu_first_or_next(const char *id, int64_t w)
{
	UChar uid[TZ_ID_MAX + 1];
	UErrorCode ust = U_ZERO_ERROR;
	UCalendar *cal;
	int y, m, d;
	int32_t dn = (int32_t)tz_floor_div(w, TZ_DAY_S);
	int64_t sod = w - (int64_t)dn * TZ_DAY_S;
	UDate ms;

	u_uastrcpy(uid, id);
	cal = ucal_open(uid, -1, "", UCAL_GREGORIAN, &ust);
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_NEXT_VALID);
	tz_civil_from_days(dn, &y, &m, &d);
	ucal_clear(cal);
	ucal_setDateTime(cal, y, m - 1, d, (int)(sod / 3600), (int)(sod / 60 % 60),
	    (int)(sod % 60), &ust);
	ms = ucal_getMillis(cal, &ust);
	ucal_close(cal);
	assert_false(U_FAILURE(ust));
	return (int64_t)(ms / 1000);
}

static void
test_from_wall_agrees_with_icu_around_transitions(void **state)
{
	static const char *const ids[] = { "America/New_York", "Europe/London",
	    "Australia/Lord_Howe", "Asia/Kathmandu", "Asia/Tokyo", "America/Sao_Paulo",
	    "Pacific/Chatham", "America/St_Johns" };
	unsigned seed = 7;

	for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		struct tz *z = zone(ids[k]);
		int64_t t = utc("2024-01-01", 0, 0), at;

		tz_preload(z, t, utc("2028-01-01", 0, 0));
		/* Every minute within two hours of each transition, plus random
		 * wall times, 2024–2027. */
		while (tz_next_transition(z, t, &at) && at < utc("2028-01-01", 0, 0)) {
			int64_t w0 = tz_wall(z, at) - 7200;

			for (int64_t w = w0; w < w0 + 4 * 3600; w += 60)
				assert_int_equal(tz_from_wall(z, w), icu_first_or_next(ids[k], w));
			t = at;
		}
		for (int i = 0; i < 200; i++) {
			int64_t w;

			seed = seed * 1103515245u + 12345u;
			w = utc("2024-01-01", 0, 0) + (int64_t)(seed % (4u * 365u * 1440u)) * 60;
			assert_int_equal(tz_from_wall(z, w), icu_first_or_next(ids[k], w));
		}
	}
}

/* ---- calendar helpers -------------------------------------------------- */

static void
test_civil_days_round_trip(void **state)
{
	for (int32_t d = TZ_DAY_MIN; d <= TZ_DAY_MAX; d += 97) {
		int y, m, dd;

		tz_civil_from_days(d, &y, &m, &dd);
		assert_int_equal(tz_days_from_civil(y, m, dd), d);
	}
	assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
}

static void
test_iso_weekday(void **state)
{
	assert_int_equal(tz_iso_weekday(day("2026-03-08")), 7);	/* Sunday */
	assert_int_equal(tz_iso_weekday(day("2026-03-09")), 1);	/* Monday */
	assert_int_equal(tz_iso_weekday(day("1969-12-31")), 3);	/* Wednesday */
}

static void
test_date_parse_is_strict(void **state)
{
	int32_t d;
	char buf[TZ_DATE_SIZE];

	assert_true(tz_date_parse("2024-02-29", &d));
	tz_date_format(d, buf);
	assert_string_equal(buf, "2024-02-29");
	assert_false(tz_date_parse("2026-02-29", &d));
	assert_false(tz_date_parse("2026-02-30", &d));
	assert_false(tz_date_parse("2026-13-01", &d));
	assert_false(tz_date_parse("2026-00-10", &d));
	assert_false(tz_date_parse("2026-3-8", &d));
	assert_false(tz_date_parse("2026-03-08T", &d));
	assert_false(tz_date_parse("20a6-03-08", &d));
	assert_false(tz_date_parse("1899-12-31", &d));
	assert_false(tz_date_parse(NULL, &d));
}

static void
test_floor_division_rounds_down(void **state)
{
	assert_int_equal(tz_floor_div(-1, 86400), -1);
	assert_int_equal(tz_floor_mod(-1, 86400), 86399);
	assert_int_equal(tz_floor_div(86400, 86400), 1);
	assert_int_equal(tz_floor_mod(-900, 900), 0);
}

static void
test_rfc3339_parse_and_format(void **state)
{
	int64_t t;
	int32_t ns;
	char buf[TIME_UTC_SIZE], ms[TIME_UTC_MS_SIZE];

	(void)state;
	assert_true(time_parse_rfc3339("2026-12-04T07:20:00Z", 0, &t, &ns));
	assert_int_equal(t, 1796368800);
	assert_int_equal(ns, 0);
	/* What JavaScript's toISOString() sends. */
	assert_true(time_parse_rfc3339("2026-12-04T07:20:00.123Z", 0, &t, &ns));
	assert_int_equal(t, 1796368800);
	assert_int_equal(ns, 123000000);
	assert_true(time_parse_rfc3339("2026-12-04T02:20:00.000000001-05:00", 0, &t, &ns));
	assert_int_equal(t, 1796368800);
	assert_int_equal(ns, 1);
	assert_false(time_parse_rfc3339("2026-12-04T07:20:00.1234567890Z", 0, &t, NULL));
	assert_false(time_parse_rfc3339("2026-12-04T07:20:00.Z", 0, &t, NULL));
	assert_false(time_parse_rfc3339("2026-12-04T07:20:00", 0, &t, NULL));	/* no offset */
	assert_false(time_parse_rfc3339("2026-02-29T07:20:00Z", 0, &t, NULL));
	assert_true(time_parse_rfc3339("2028-02-29T07:20:00Z", 0, &t, NULL));
	assert_false(time_parse_rfc3339("2026-12-04T24:00:00Z", 0, &t, NULL));
	assert_false(time_parse_rfc3339("2026-12-04T07:20:60Z", 0, &t, NULL));
	assert_false(time_parse_rfc3339("2026-12-04T07:20:00+5:00", 0, &t, NULL));
	assert_false(time_parse_rfc3339("2026-12-04T07:20:00Zjunk", 0, &t, NULL));
	assert_false(time_parse_rfc3339("2026-12-04T07:20Z", 0, &t, NULL));
	assert_true(time_parse_rfc3339("2026-12-04T07:20Z", TIME_RFC3339_MINUTES, &t, NULL));
	assert_int_equal(t, 1796368800);
	assert_false(time_parse_rfc3339("2026-12-04 07:20:00Z", 0, &t, NULL));
	assert_true(time_parse_rfc3339("2026-12-04 07:20:00Z", TIME_RFC3339_SPACE, &t, NULL));
	assert_false(time_parse_rfc3339(NULL, 0, &t, NULL));
	/* Found by tests/fuzz/fuzz_rfc3339.c: an offset that moves the
	 * instant out of years 0001 … 9999 was accepted, and time_format_utc
	 * wrote year 10000 as "0000-01-01T23:58:59Z". */
	assert_false(time_parse_rfc3339("9999-12-31T23:59:59-23:59", 0, &t, NULL));
	assert_false(time_parse_rfc3339("0001-01-01T00:00:00+00:01", 0, &t, NULL));
	assert_true(time_parse_rfc3339("9999-12-31T23:59:59Z", 0, &t, NULL));
	time_format_utc(t, buf);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	assert_true(time_parse_rfc3339("0001-01-01T23:59:59+23:59", 0, &t, NULL));
	time_format_utc(t, buf);
	assert_string_equal(buf, "0001-01-01T00:00:59Z");

	time_format_utc(1796368800, buf);
	assert_string_equal(buf, "2026-12-04T07:20:00Z");
	time_format_utc(-1, buf);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	time_format_utc_ms(1796368800, 7, ms);
	assert_string_equal(ms, "2026-12-04T07:20:00.007Z");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_zone_is_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_zone_ids_are_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_known_zone_opens_and_keeps_its_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_york_spring_forward_time_does_not_exist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_york_gap_maps_to_the_jump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_york_fall_back_time_happens_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_york_transitions_are_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_london_gap_and_repeat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lord_howe_half_hour_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lord_howe_half_hour_repeat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kathmandu_quarter_hour_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zone_without_dst_has_one_instant_per_wall_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_utc_formats_with_zero_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_day_follows_the_wall_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preloaded_table_matches_icu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_wall_agrees_with_icu_around_transitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_civil_days_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iso_weekday, setup, teardown),
		cmocka_unit_test_setup_teardown(test_date_parse_is_strict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_floor_division_rounds_down, setup, teardown),
		cmocka_unit_test(test_rfc3339_parse_and_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
