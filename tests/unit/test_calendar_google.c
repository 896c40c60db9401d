/* test_calendar_google.c — the Google adapter and the shared calendar
 * helpers against the documented shapes: the consent URL (offline access,
 * forced consent, our scopes), our event ids (base32hex) and URLs, the
 * event resource we send (UTC times, no attendees), RFC 3339 times, and
 * the range arithmetic that turns Cal.com's free slots into busy time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

/* The adapter's static functions (event_body, events_url). */
#include "../../src/providers/calendar_google.c"

static struct config cfg;

static int
setup(void **state)
{
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.google_client_id = "cid.apps.googleusercontent.com";
	cfg.google_client_secret = "secret";
	cfg.google_oauth_base_url = "https://accounts.example.test/";
	cfg.google_token_url = "https://oauth2.example.test/token";
	cfg.google_calendar_base_url = "https://www.example.test/calendar/v3";
	cfg.calcom_base_url = "https://api.cal.example.test";
	cfg.calendar_timeout_ms = 5000;
	cfg.calendar_connect_timeout_ms = 2000;
	return 0;
}

/* Google URLs, ids and bodies ----------------------------------------------------- */

static const char *
query_value(struct arena *a, const char *url, const char *name)
{
	const char *q = strchr(url, '?');
	size_t nl = strlen(name);

	for (const char *p = q ? q + 1 : NULL; p && *p;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);

		if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=')
			return arena_strndup(a, p + nl + 1, len - nl - 1);
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

static void
test_google_authorize_url(void **state)
{
	struct arena a;
	char *u;

	(void)state;
	arena_init(&a, 4096);
	u = calendar_google_authorize_url(&a, &cfg, "https://app.example.test/v1/calendar/google/callback",
	    "t.n.1.m");
	assert_true(strncmp(u, "https://accounts.example.test/o/oauth2/v2/auth?", 47) == 0);
	assert_string_equal(query_value(&a, u, "client_id"), "cid.apps.googleusercontent.com");
	assert_string_equal(query_value(&a, u, "redirect_uri"),
	    "https%3A%2F%2Fapp.example.test%2Fv1%2Fcalendar%2Fgoogle%2Fcallback");
	assert_string_equal(query_value(&a, u, "response_type"), "code");
	assert_string_equal(query_value(&a, u, "access_type"), "offline");
	assert_string_equal(query_value(&a, u, "prompt"), "consent");
	assert_string_equal(query_value(&a, u, "state"), "t.n.1.m");
	assert_string_equal(query_value(&a, u, "scope"),
	    "https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar.events%20"
	    "https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar.freebusy");
	arena_free(&a);
}

static void
test_google_event_id_and_urls(void **state)
{
	struct calendar_call call = { 0 };
	struct calendar_conn c = { 0 };
	struct arena a;
	char *id;

	(void)state;
	arena_init(&a, 4096);
	id = calendar_google_event_id(&a, "3F2504E0-4F89-41D3-9A0C-0305E82C3301");
	assert_string_equal(id, "rcp3f2504e04f8941d39a0c0305e82c3301");
	/* base32hex, 5..1024 characters (Event.id in the API reference) */
	assert_true(strlen(id) >= 5);
	for (const char *p = id; *p; p++)
		assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'v'));

	call.arena = &a;
	call.cfg = &cfg;
	c.external_ref = "team+x@example.com";
	assert_string_equal(events_url(&call, &c, NULL),
	    "https://www.example.test/calendar/v3/calendars/team%2Bx%40example.com/events");
	assert_string_equal(events_url(&call, &c, id),
	    "https://www.example.test/calendar/v3/calendars/team%2Bx%40example.com/events/"
	    "rcp3f2504e04f8941d39a0c0305e82c3301");
	arena_free(&a);
}

static void
test_google_event_body(void **state)
{
	struct calendar_call call = { 0 };
	struct calendar_event ev = {
		.booking_id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301", .reference = "K7M4QX",
		.summary = "Haircut — Jane", .description = "Booking K7M4QX",
		.start = 1893578400, .end = 1893582000, .time_zone = "Europe/London",
		.attendee_name = "Jane", .attendee_email = "jane@example.com",
	};
	struct arena a;
	json_t *b;

	(void)state;
	arena_init(&a, 4096);
	call.arena = &a;
	call.cfg = &cfg;
	b = event_body(&call, &ev, "rcpabc12");
	assert_string_equal(json_string_value(json_object_get(b, "id")), "rcpabc12");
	assert_string_equal(json_string_value(json_object_get(b, "summary")), "Haircut — Jane");
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "start"),
	    "dateTime")), "2030-01-02T10:00:00Z");
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "end"),
	    "dateTime")), "2030-01-02T11:00:00Z");
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "start"),
	    "timeZone")), "Europe/London");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(b,
	    "extendedProperties"), "private"), "rcp_booking_id")), ev.booking_id);
	/* No attendees: Google would e-mail the customer. */
	assert_null(json_object_get(b, "attendees"));
	/* A patch carries no id (and never a status). */
	b = event_body(&call, &ev, NULL);
	assert_null(json_object_get(b, "id"));
	assert_null(json_object_get(b, "status"));
	arena_free(&a);
}

/* Times ------------------------------------------------------------------------------------ */

static void
test_rfc3339(void **state)
{
	struct arena a;
	int64_t t;

	(void)state;
	arena_init(&a, 1024);
	assert_true(calendar_time_parse("2030-01-02T10:00:00Z", &t) && t == 1893578400);
	assert_true(calendar_time_parse("2030-01-02T10:00:00.123Z", &t) && t == 1893578400);
	assert_true(calendar_time_parse("2030-01-02T11:00:00+01:00", &t) && t == 1893578400);
	assert_true(calendar_time_parse("2030-01-02T15:45:00+05:45", &t) && t == 1893578400);
	assert_true(calendar_time_parse("2030-01-02T05:00:00.000-05:00", &t) && t == 1893578400);
	assert_true(calendar_time_parse("2024-02-29T00:00:00Z", &t));
	assert_true(calendar_time_parse("1969-12-31T23:59:59Z", &t) && t == -1);
	static const char *const bad[] = { "2030-01-02", "2030-01-02T10:00:00", "2030-13-01T00:00:00Z",
	    "2025-02-29T00:00:00Z", "2030-02-30T00:00:00Z", "2030-01-02T24:00:00Z",
	    "2030-01-02T10:00:00+1:00", "2030-01-02T10:00:00Zjunk", "2030-01-02T10:00:00.Z", "", NULL };
	for (size_t i = 0; bad[i]; i++)
		assert_false(calendar_time_parse(bad[i], &t));
	assert_false(calendar_time_parse(NULL, &t));
	assert_string_equal(calendar_time_format(&a, 1893578400), "2030-01-02T10:00:00Z");
	assert_string_equal(calendar_time_format_ms(&a, 1893578400), "2030-01-02T10:00:00.000Z");
	arena_free(&a);
}

/* Ranges ----------------------------------------------------------------------------------- */

static void
test_ranges(void **state)
{
	struct calendar_range v[] = { { 50, 60 }, { 10, 20 }, { 15, 30 }, { 30, 40 }, { 70, 70 } };
	struct calendar_range fr[] = { { 10, 20 }, { 20, 30 }, { 50, 55 } };
	struct calendar_range cut[] = { { 12, 14 }, { 35, 55 } };
	struct calendar_ranges r = { v, 5 }, f = { fr, 3 }, c = { cut, 2 }, out;
	struct arena a;

	(void)state;
	arena_init(&a, 4096);
	calendar_ranges_normalize(&r);
	assert_int_equal(r.n, 2);	/* [10,40) [50,60); touching ranges merge, empty ones go */
	assert_true(r.v[0].start == 10 && r.v[0].end == 40);
	assert_true(r.v[1].start == 50 && r.v[1].end == 60);

	calendar_ranges_subtract(&a, &r, &c, &out);
	assert_int_equal(out.n, 3);	/* [10,12) [14,35) [55,60) */
	assert_true(out.v[0].start == 10 && out.v[0].end == 12);
	assert_true(out.v[1].start == 14 && out.v[1].end == 35);
	assert_true(out.v[2].start == 55 && out.v[2].end == 60);

	/* Cal.com offers [10,30) and [50,55) within [0,100): busy is the rest. */
	calendar_ranges_complement(&a, &f, 0, 100, &out);
	assert_int_equal(out.n, 3);
	assert_true(out.v[0].start == 0 && out.v[0].end == 10);
	assert_true(out.v[1].start == 30 && out.v[1].end == 50);
	assert_true(out.v[2].start == 55 && out.v[2].end == 100);
	/* Nothing offered: all busy. Everything offered: nothing busy. */
	f.n = 0;
	calendar_ranges_complement(&a, &f, 0, 100, &out);
	assert_int_equal(out.n, 1);
	assert_true(out.v[0].start == 0 && out.v[0].end == 100);
	fr[0] = (struct calendar_range){ -10, 200 };
	f.n = 1;
	calendar_ranges_complement(&a, &f, 0, 100, &out);
	assert_int_equal(out.n, 0);

	calendar_ranges_clip(&r, 15, 55);
	assert_int_equal(r.n, 2);
	assert_true(r.v[0].start == 15 && r.v[1].end == 55);
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_google_authorize_url),
		cmocka_unit_test(test_google_event_id_and_urls),
		cmocka_unit_test(test_google_event_body),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_ranges),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
