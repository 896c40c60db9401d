/* test_events_hub.c — the live-updates hub: who may see which event kind
 * (the permission matrix, STAFF only for bookings they perform, API key
 * scopes), fan-out only to the event's tenant, the caps, and the stream
 * closed as lagging when its queue overflows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/events/events_internal.h"

#define T1 "11111111-1111-4111-8111-111111111111"
#define T2 "22222222-2222-4222-8222-222222222222"
#define U1 "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"

static struct principal
user(enum role role, const char *id)
{
	struct principal p;

	memset(&p, 0, sizeof(p));
	p.kind = PRINCIPAL_USER;
	p.role = role;
	p.scopes = SCOPE_ALL;
	snprintf(p.id, sizeof(p.id), "%s", id);
	return p;
}

static void
test_visibility_follows_the_matrix(void **state)
{
	struct principal owner = user(ROLE_OWNER, U1), viewer = user(ROLE_VIEWER, U1);
	struct principal staff = user(ROLE_STAFF, U1), acct = user(ROLE_ACCOUNTANT, U1);
	const char *mine[] = { U1 }, *other[] = { "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb" };

	(void)state;
	assert_true(events_visible(&owner, "booking.created", other, 1));
	assert_true(events_visible(&owner, "handoff.waiting", NULL, 0));
	assert_true(events_visible(&viewer, "conversation.message", NULL, 0));
	assert_true(events_visible(&viewer, "booking.moved", other, 1));
	assert_true(events_visible(&staff, "booking.created", mine, 1));
	assert_false(events_visible(&staff, "booking.created", other, 1));
	assert_false(events_visible(&staff, "booking.cancelled", NULL, 0));
	assert_false(events_visible(&staff, "conversation.message", NULL, 0));
	assert_false(events_visible(&acct, "handoff.waiting", NULL, 0));
	assert_false(events_visible(NULL, "booking.created", NULL, 0));
}

static void
test_api_key_scopes_apply(void **state)
{
	struct principal k = user(ROLE_ADMIN, U1);

	(void)state;
	k.kind = PRINCIPAL_API_KEY;
	k.scopes = SCOPE_BIT(RES_BOOKINGS);
	assert_true(events_visible(&k, "booking.created", NULL, 0));
	assert_false(events_visible(&k, "conversation.created", NULL, 0));
}

static void
test_fan_out_to_the_tenant_only_with_increasing_ids(void **state)
{
	struct events_sub *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	bool lag;
	char *m1, *m2;

	(void)state;
	strcpy(a->tenant_id, T1);
	strcpy(b->tenant_id, T2);
	a->principal = user(ROLE_OWNER, U1);
	b->principal = user(ROLE_OWNER, U1);
	assert_int_equal(events_subscribe(a, 10, 10), ST_OK);
	assert_int_equal(events_subscribe(b, 10, 10), ST_OK);
	events_publish("{\"tenant_id\":\"" T1 "\",\"kind\":\"booking.created\","
	    "\"booking_id\":\"x\",\"staff_user_ids\":[\"" U1 "\"]}");
	events_publish("{\"tenant_id\":\"" T1 "\",\"kind\":\"handoff.waiting\"}");
	events_publish("not json");
	m1 = events_next(a, 10, &lag);
	m2 = events_next(a, 10, &lag);
	assert_non_null(m1);
	assert_non_null(m2);
	assert_non_null(strstr(m1, "event: booking.created\n"));
	assert_null(strstr(m1, "tenant_id"));
	assert_null(strstr(m1, "staff_user_ids"));
	assert_true(strtoull(m2 + 4, NULL, 10) > strtoull(m1 + 4, NULL, 10));
	assert_null(events_next(a, 10, &lag));
	assert_null(events_next(b, 10, &lag));
	assert_false(lag);
	free(m1);
	free(m2);
	events_unsubscribe(a);
	events_unsubscribe(b);
	free(a);
	free(b);
}

static void
test_caps_total_and_per_tenant(void **state)
{
	struct events_sub s[3];

	(void)state;
	memset(s, 0, sizeof(s));
	for (int i = 0; i < 3; i++) {
		strcpy(s[i].tenant_id, i < 2 ? T1 : T2);
		s[i].principal = user(ROLE_OWNER, U1);
	}
	assert_int_equal(events_subscribe(&s[0], 2, 1), ST_OK);
	assert_int_equal(events_subscribe(&s[1], 2, 1), ST_UNAVAILABLE);	/* tenant */
	assert_int_equal(events_subscribe(&s[2], 2, 1), ST_OK);
	assert_int_equal(events_subscribe(&s[1], 2, 5), ST_UNAVAILABLE);	/* total */
	events_unsubscribe(&s[0]);
	assert_int_equal(events_subscribe(&s[1], 2, 1), ST_OK);
	events_unsubscribe(&s[1]);
	events_unsubscribe(&s[2]);
}

static void
test_a_full_queue_marks_the_stream_lagging(void **state)
{
	struct events_sub *a = calloc(1, sizeof(*a));
	bool lag = false;
	char *m;

	(void)state;
	strcpy(a->tenant_id, T1);
	a->principal = user(ROLE_OWNER, U1);
	assert_int_equal(events_subscribe(a, 10, 10), ST_OK);
	for (int i = 0; i < EVENTS_QUEUE + 1; i++)
		events_publish("{\"tenant_id\":\"" T1 "\",\"kind\":\"conversation.created\"}");
	m = events_next(a, 10, &lag);
	assert_non_null(m);
	free(m);
	assert_true(lag);
	events_unsubscribe(a);
	free(a);
}

static void
test_resync_reaches_every_stream(void **state)
{
	struct events_sub *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	bool lag;
	char *m;

	(void)state;
	strcpy(a->tenant_id, T1);
	strcpy(b->tenant_id, T2);
	a->principal = user(ROLE_STAFF, U1);
	b->principal = user(ROLE_VIEWER, U1);
	assert_int_equal(events_subscribe(a, 10, 10), ST_OK);
	assert_int_equal(events_subscribe(b, 10, 10), ST_OK);
	events_resync();
	assert_non_null(m = events_next(a, 10, &lag));
	assert_non_null(strstr(m, "event: resync\n"));
	free(m);
	assert_non_null(m = events_next(b, 10, &lag));
	free(m);
	events_unsubscribe(a);
	events_unsubscribe(b);
	free(a);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_visibility_follows_the_matrix),
		cmocka_unit_test(test_api_key_scopes_apply),
		cmocka_unit_test(test_fan_out_to_the_tenant_only_with_increasing_ids),
		cmocka_unit_test(test_caps_total_and_per_tenant),
		cmocka_unit_test(test_a_full_queue_marks_the_stream_lagging),
		cmocka_unit_test(test_resync_reaches_every_stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
