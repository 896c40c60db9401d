/* test_calendar_rules.c — the calendar module's pure rules
 * (calendar_rules.c): the token bucket never lets more than the limit
 * through in any minute (and honours a provider's Retry-After), OAuth
 * states refuse every tampering, expiry and foreign key, what a sync does
 * for each booking/event state, what a Cal.com delivery says, and the busy
 * cache's JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "modules/calendar/calendar_internal.h"

static const char TID[] = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";

/* Token bucket ------------------------------------------------------------------ */

static void
test_bucket_shape_fits_the_limit(void **state)
{
	double rate, burst;

	(void)state;
	calendar_bucket_limits(120, &rate, &burst);
	assert_true(burst == 10);
	assert_true(burst + rate * 60 <= 120.0 + 1e-9);
	calendar_bucket_limits(1, &rate, &burst);
	assert_true(burst == 1);
	assert_true(rate > 0);
	calendar_bucket_limits(12, &rate, &burst);
	assert_true(burst == 1);
	assert_true(burst + rate * 60 <= 12.0 + 1e-9);
}

/* Greedy demand every 10 ms for ten minutes: no sliding minute ever gets
 * more than the limit, and the long-run rate is close to it. */
static void
test_bucket_never_exceeds_the_limit_in_any_minute(void **state)
{
	static double granted[20000];
	struct calendar_bucket b = { 0 };
	double rate, burst;
	size_t n = 0, j = 0, worst = 0;

	(void)state;
	calendar_bucket_limits(120, &rate, &burst);
	for (double t = 1000.0; t < 1600.0; t += 0.01)
		if (calendar_bucket_take(&b, t, rate, burst) == 0)
			granted[n++] = t;
	for (size_t i = 0; i < n; i++) {
		while (granted[i] - granted[j] >= 60.0)
			j++;
		if (i - j + 1 > worst)
			worst = i - j + 1;
	}
	assert_true(worst <= 120);
	/* ten minutes at ~110 a minute plus the first burst */
	assert_true(n >= 1090 && n <= 1120);
}

static void
test_bucket_says_how_long_to_wait(void **state)
{
	struct calendar_bucket b = { 0 };
	double wait;

	(void)state;
	/* 60 a minute, burst 2: two at once, then one a second-ish. */
	assert_true(calendar_bucket_take(&b, 100.0, 1.0, 2.0) == 0);
	assert_true(calendar_bucket_take(&b, 100.0, 1.0, 2.0) == 0);
	wait = calendar_bucket_take(&b, 100.0, 1.0, 2.0);
	assert_true(wait > 0.99 && wait < 1.01);
	assert_true(calendar_bucket_take(&b, 100.5, 1.0, 2.0) > 0.49);
	assert_true(calendar_bucket_take(&b, 101.0, 1.0, 2.0) == 0);
	/* A refused take spends nothing. */
	assert_true(b.tokens >= 0 && b.tokens < 1);
}

static void
test_bucket_honours_a_block(void **state)
{
	struct calendar_bucket b = { .tokens = 10, .at = 100, .blocked_until = 130 };

	(void)state;
	assert_true(calendar_bucket_take(&b, 110.0, 1.0, 10.0) > 19.9);
	assert_true(b.tokens == 10);	/* nothing taken while blocked */
	assert_true(calendar_bucket_take(&b, 130.0, 1.0, 10.0) == 0);
}

/* OAuth state ------------------------------------------------------------------- */

static void
key_of(unsigned char k[32], unsigned char seed)
{
	memset(k, seed, 32);
}

static void
test_state_round_trip(void **state)
{
	struct arena a;
	unsigned char k[32];
	const char *tenant, *nonce;
	struct err e;
	char *s;

	(void)state;
	arena_init(&a, 4096);
	key_of(k, 7);
	err_clear(&e);
	s = calendar_state_sign(&a, k, TID, "nOnCe-_123", 2000000000LL);
	assert_int_equal(calendar_state_verify(&a, k, s, 1999999999LL, &tenant, &nonce, &e), ST_OK);
	assert_string_equal(tenant, TID);
	assert_string_equal(nonce, "nOnCe-_123");
	/* URL-safe as it is: no character needs escaping in a query. */
	for (const char *p = s; *p; p++)
		assert_true(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.",
		    *p) != NULL);
	arena_free(&a);
}

static void
test_state_refuses_tampering_expiry_and_other_keys(void **state)
{
	struct arena a;
	unsigned char k[32], other[32];
	const char *tenant, *nonce;
	struct err e;
	char *s, *t;

	(void)state;
	arena_init(&a, 4096);
	key_of(k, 7);
	key_of(other, 8);
	s = calendar_state_sign(&a, k, TID, "abc", 2000000000LL);
	/* Every single-character change is refused. */
	for (size_t i = 0; s[i]; i++) {
		t = arena_strdup(&a, s);
		t[i] = t[i] == 'b' ? 'c' : 'b';
		if (strcmp(t, s) == 0)
			continue;
		err_clear(&e);
		assert_int_equal(calendar_state_verify(&a, k, t, 1000, &tenant, &nonce, &e),
		    ST_UNAUTHENTICATED);
	}
	err_clear(&e);
	assert_int_equal(calendar_state_verify(&a, k, s, 2000000000LL, &tenant, &nonce, &e),
	    ST_UNAUTHENTICATED);
	assert_non_null(strstr(e.message, "expired"));
	err_clear(&e);
	assert_int_equal(calendar_state_verify(&a, other, s, 1000, &tenant, &nonce, &e),
	    ST_UNAUTHENTICATED);
	/* Another tenant's id with this tenant's mac. */
	t = arena_strdup(&a, s);
	memcpy(t, "bbbbbbbb", 8);
	err_clear(&e);
	assert_int_equal(calendar_state_verify(&a, k, t, 1000, &tenant, &nonce, &e),
	    ST_UNAUTHENTICATED);
	static const char *const junk[] = { "", ".", "a.b.c", "a.b.c.d.e", NULL };
	for (size_t i = 0; junk[i]; i++) {
		err_clear(&e);
		assert_int_equal(calendar_state_verify(&a, k, junk[i], 1000, &tenant, &nonce, &e),
		    ST_UNAUTHENTICATED);
	}
	err_clear(&e);
	assert_int_equal(calendar_state_verify(&a, k, NULL, 1000, &tenant, &nonce, &e),
	    ST_UNAUTHENTICATED);
	/* A valid mac over a tenant that is not a uuid is still refused. */
	t = calendar_state_sign(&a, k, "not-a-uuid", "abc", 2000000000LL);
	err_clear(&e);
	assert_int_equal(calendar_state_verify(&a, k, t, 1000, &tenant, &nonce, &e),
	    ST_UNAUTHENTICATED);
	arena_free(&a);
}

/* Sync decisions ----------------------------------------------------------------- */

static void
test_sync_decisions(void **state)
{
	(void)state;
	/* New booking, nothing at the provider yet (no row, or a pending or
	 * failed one from an earlier attempt). */
	assert_int_equal(calendar_sync_decide(true, NULL, false, 100, 200, 0, 0), SYNC_CREATE);
	assert_int_equal(calendar_sync_decide(true, "pending", false, 100, 200, 0, 0), SYNC_CREATE);
	assert_int_equal(calendar_sync_decide(true, "failed", false, 100, 200, 0, 0), SYNC_CREATE);
	/* Up to date. */
	assert_int_equal(calendar_sync_decide(true, "synced", true, 100, 200, 100, 200), SYNC_NONE);
	/* Moved, or its length changed. */
	assert_int_equal(calendar_sync_decide(true, "synced", true, 150, 250, 100, 200), SYNC_UPDATE);
	assert_int_equal(calendar_sync_decide(true, "synced", true, 100, 260, 100, 200), SYNC_UPDATE);
	assert_int_equal(calendar_sync_decide(true, "failed", true, 150, 250, 100, 200), SYNC_UPDATE);
	/* Cancelled. */
	assert_int_equal(calendar_sync_decide(false, "synced", true, 100, 200, 100, 200), SYNC_DELETE);
	assert_int_equal(calendar_sync_decide(false, NULL, false, 100, 200, 0, 0), SYNC_NONE);
	assert_int_equal(calendar_sync_decide(false, "synced", false, 100, 200, 0, 0), SYNC_NONE);
	/* Deleted on the calendar side: hands off until a person decides. */
	assert_int_equal(calendar_sync_decide(true, "deleted_remote", true, 150, 250, 100, 200),
	    SYNC_NONE);
	assert_int_equal(calendar_sync_decide(false, "deleted_remote", true, 100, 200, 100, 200),
	    SYNC_NONE);
	assert_string_equal(calendar_sync_action_name(SYNC_UPDATE), "update");
}

/* Cal.com deliveries ----------------------------------------------------------------- */

static void
test_calcom_event_parse(void **state)
{
	struct calendar_calcom_event ce;
	json_error_t jerr;
	json_t *j;

	(void)state;
	j = json_loads("{\"triggerEvent\":\"BOOKING_RESCHEDULED\",\"createdAt\":\"2030-01-01T00:00:00Z\","
	    "\"payload\":{\"uid\":\"new\",\"rescheduleUid\":\"old\",\"startTime\":"
	    "\"2030-01-02T10:00:00.000Z\"}}", 0, &jerr);
	assert_int_equal(calendar_calcom_event_parse(j, &ce), ST_OK);
	assert_string_equal(ce.trigger, "BOOKING_RESCHEDULED");
	assert_string_equal(ce.uid, "new");
	assert_string_equal(ce.reschedule_uid, "old");
	assert_true(ce.has_start);
	assert_true(ce.start == 1893578400LL);
	json_decref(j);

	j = json_loads("{\"triggerEvent\":\"BOOKING_CANCELLED\",\"payload\":{\"uid\":\"u1\","
	    "\"rescheduledFromUid\":\"u0\"}}", 0, &jerr);
	assert_int_equal(calendar_calcom_event_parse(j, &ce), ST_OK);
	assert_string_equal(ce.reschedule_uid, "u0");
	assert_false(ce.has_start);
	json_decref(j);

	static const char *const bad[] = { "[]", "{}", "{\"triggerEvent\":\"X\"}",
	    "{\"triggerEvent\":\"\",\"payload\":{}}", "{\"triggerEvent\":1,\"payload\":{}}",
	    "{\"triggerEvent\":\"X\",\"payload\":[]}", NULL };
	for (size_t i = 0; bad[i]; i++) {
		j = json_loads(bad[i], 0, &jerr);
		assert_int_equal(calendar_calcom_event_parse(j, &ce), ST_INVALID);
		json_decref(j);
	}
	assert_int_equal(calendar_calcom_event_parse(NULL, &ce), ST_INVALID);
}

/* Busy JSON ------------------------------------------------------------------------ */

static void
test_busy_json_round_trip(void **state)
{
	struct calendar_range v[] = { { 100, 200 }, { 300, 4000000000LL } };
	struct calendar_ranges r = { v, 2 }, back;
	struct arena a;
	char *s;

	(void)state;
	arena_init(&a, 4096);
	s = calendar_busy_json(&a, &r);
	assert_string_equal(s, "[[100,200],[300,4000000000]]");
	assert_true(calendar_busy_parse(&a, s, &back));
	assert_int_equal(back.n, 2);
	assert_true(back.v[1].end == 4000000000LL);
	r.n = 0;
	assert_string_equal(calendar_busy_json(&a, &r), "[]");
	assert_true(calendar_busy_parse(&a, "[]", &back));
	assert_int_equal(back.n, 0);
	assert_false(calendar_busy_parse(&a, "[[1,\"x\"]]", &back));
	assert_false(calendar_busy_parse(&a, "{}", &back));
	assert_false(calendar_busy_parse(&a, "nope", &back));
	assert_false(calendar_busy_parse(&a, NULL, &back));
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_shape_fits_the_limit),
		cmocka_unit_test(test_bucket_never_exceeds_the_limit_in_any_minute),
		cmocka_unit_test(test_bucket_says_how_long_to_wait),
		cmocka_unit_test(test_bucket_honours_a_block),
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_state_refuses_tampering_expiry_and_other_keys),
		cmocka_unit_test(test_sync_decisions),
		cmocka_unit_test(test_calcom_event_parse),
		cmocka_unit_test(test_busy_json_round_trip),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
