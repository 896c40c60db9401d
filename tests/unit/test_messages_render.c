/* test_messages_render.c — the templates and the wire text: dates in words
 * in the business's zone (am/pm, noon, midnight, across DST), HTML escaping
 * (a customer's name is text), iCalendar escaping and times in UTC, the
 * platform's name only when the tenant is not white-label, unknown
 * templates refused, and the .eml text (headers stripped of CR/LF, RFC 2047
 * names, List-Unsubscribe only when given). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "modules/messages/messages_render.h"
#include "providers/smtp.h"

static const struct msg_brand salon = {
	"Maison <Rosé>", "#a31f6b", "#111111", NULL, "desk@salon.example", "12 Rue Verte, Paris",
	"America/New_York", "Receptionist", "example.net", "https://maison.example.net",
};

static struct tz *
zone(struct arena *a, const char *id)
{
	struct tz *z = NULL;

	assert_int_equal(tz_open(a, id, &z), ST_OK);
	return z;
}

static void
test_when_words(void **state)
{
	struct arena a;
	struct tz *ny;

	(void)state;
	arena_init(&a, 4096);
	ny = zone(&a, "America/New_York");
	/* 2026-12-08 20:30 UTC = Tuesday 8 December, 3:30 pm in New York. */
	assert_string_equal(msg_when_words(&a, ny, 1796761800), "Tuesday 8 December, 3:30 pm");
	/* 2026-07-01 16:00 UTC = 12 noon EDT, written 12 pm. */
	assert_string_equal(msg_when_words(&a, ny, 1782921600), "Wednesday 1 July, 12 pm");
	/* 2026-07-01 04:05 UTC = 12:05 am EDT, the day before. */
	assert_string_equal(msg_when_words(&a, ny, 1782878700), "Wednesday 1 July, 12:05 am");
	assert_string_equal(msg_when_words(&a, zone(&a, "UTC"), 1782878700),
	    "Wednesday 1 July, 4:05 am");
	arena_free(&a);
}

static void
test_escaping(void **state)
{
	struct arena a;

	(void)state;
	arena_init(&a, 4096);
	assert_string_equal(msg_html_escape(&a, "<a href=\"x\">O'Neil & co</a>"),
	    "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");
	assert_string_equal(msg_html_escape(&a, NULL), "");
	assert_string_equal(msg_ics_escape(&a, "a;b,c\\d\r\ne"), "a\\;b\\,c\\\\d\\ne");
	arena_free(&a);
}

static json_t *
booking_payload(const char *name)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "booking_id",
	    "6f1c2d9e-0000-4000-8000-000000000001", "reference", "BK-42", "customer_name", name,
	    "starts_at", (json_int_t)1796761800, "ends_at", (json_int_t)1796763600,
	    "version", (json_int_t)2, "service", "Cut, wash");
}

static void
test_booking_confirmed(void **state)
{
	struct arena a;
	struct msg_rendered r;
	json_t *p = booking_payload("<script>alert(1)</script>");

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(msg_render(&a, &salon, "booking.confirmed", p, 1796000000, &r), ST_OK);
	assert_string_equal(r.subject,
	    "Your booking at Maison <Rosé> is confirmed: Tuesday 8 December, 3:30 pm");
	assert_non_null(strstr(r.text, "Hello <script>alert(1)</script>,"));
	assert_non_null(strstr(r.text, "Sent with Receptionist"));
	assert_null(strstr(r.html, "<script>"));
	assert_non_null(strstr(r.html, "Hello &lt;script&gt;alert(1)&lt;/script&gt;,"));
	assert_non_null(strstr(r.html, "Maison &lt;Rosé&gt;"));
	assert_non_null(strstr(r.html, "#a31f6b"));
	assert_non_null(r.ics);
	assert_string_equal(r.ics_method, "PUBLISH");
	assert_non_null(strstr(r.ics, "DTSTART:20261208T203000Z\r\n"));
	assert_non_null(strstr(r.ics, "DTEND:20261208T210000Z\r\n"));
	assert_non_null(strstr(r.ics, "DTSTAMP:20261130T"));
	assert_non_null(strstr(r.ics, "UID:6f1c2d9e-0000-4000-8000-000000000001@example.net\r\n"));
	assert_non_null(strstr(r.ics, "SEQUENCE:2\r\n"));
	assert_non_null(strstr(r.ics, "SUMMARY:Cut\\, wash at Maison <Rosé>\r\n"));
	assert_non_null(strstr(r.ics, "LOCATION:12 Rue Verte\\, Paris\r\n"));
	assert_non_null(strstr(r.ics, "STATUS:CONFIRMED\r\n"));
	assert_null(r.list_unsubscribe);
	assert_non_null(strstr(r.text, "Manage your booking: https://maison.example.net/booking/BK-42\n"));
	assert_non_null(strstr(r.html, "href=\"https://maison.example.net/booking/BK-42\""));
	assert_non_null(strstr(r.sms, "Tuesday 8 December, 3:30 pm"));
	json_decref(p);
	arena_free(&a);
}

static void
test_white_label_and_cancel(void **state)
{
	struct arena a;
	struct msg_rendered r;
	struct msg_brand b = salon;
	json_t *p = booking_payload("Zoe");

	(void)state;
	b.platform_name = NULL;
	arena_init(&a, 4096);
	assert_int_equal(msg_render(&a, &b, "booking.cancelled", p, 1796000000, &r), ST_OK);
	assert_null(strstr(r.text, "Receptionist"));
	assert_null(strstr(r.html, "Receptionist"));
	assert_null(strstr(r.ics, "Receptionist"));
	assert_non_null(strstr(r.ics, "STATUS:CANCELLED\r\n"));
	assert_non_null(strstr(r.subject, "is cancelled"));
	json_decref(p);
	arena_free(&a);
}

static void
test_reminder_unsubscribe_and_unknown(void **state)
{
	struct arena a;
	struct msg_rendered r;
	json_t *p = booking_payload("Zoe");

	(void)state;
	arena_init(&a, 4096);
	json_object_set_new(p, "unsubscribe_url", json_string("https://x.example/u/1"));
	assert_int_equal(msg_render(&a, &salon, "booking.reminder", p, 1796000000, &r), ST_OK);
	assert_string_equal(r.list_unsubscribe, "<https://x.example/u/1>");
	assert_int_equal(msg_render(&a, &salon, "booking.nope", p, 0, &r), ST_NOTFOUND);
	json_decref(p);
	arena_free(&a);
}

/* The reminder planner writes times as RFC 3339 and the services as a list,
 * with a confirmation link: the same words as the booking notices, the
 * link as the button, "Reply C" in the text; the nudge asks. */
static void
test_planner_reminder_and_nudge(void **state)
{
	struct arena a;
	struct msg_rendered r;
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:[s, s], s:s}", "reference", "BK-42",
	    "customer_name", "Zoe", "starts_at", "2026-12-09T20:30:00Z", "ends_at",
	    "2026-12-09T21:30:00Z", "services", "Cut", "Colour", "confirm_url",
	    "https://maison.example.net/booking/BK-42/confirm#token=abc");

	(void)state;
	arena_init(&a, 8192);
	assert_int_equal(msg_render(&a, &salon, "booking.reminder", p, 1796000000, &r), ST_OK);
	assert_string_equal(r.subject, "Reminder: Cut, Colour at Maison <Rosé>, "
	    "Wednesday 9 December, 3:30 pm");
	assert_non_null(strstr(r.html, "https://maison.example.net/booking/BK-42/confirm#token=abc"));
	assert_non_null(strstr(r.text, "Cannot make it? Change or cancel: "
	    "https://maison.example.net/booking/BK-42"));
	assert_non_null(strstr(r.sms, "Reply C to confirm."));
	assert_int_equal(msg_render(&a, &salon, "booking.confirm_nudge", p, 1796000000, &r), ST_OK);
	assert_string_equal(r.subject, "Please confirm: Cut, Colour at Maison <Rosé>, "
	    "Wednesday 9 December, 3:30 pm");
	assert_non_null(strstr(r.text, "Are you still coming?"));
	json_object_del(p, "confirm_url");
	assert_int_equal(msg_render(&a, &salon, "booking.reminder", p, 1796000000, &r), ST_OK);
	assert_null(strstr(r.sms, "Reply C"));
	json_decref(p);
	arena_free(&a);
}

/* The owner's notice when the plan's texts run out: numbers and month, and
 * an SMS body too (the notice itself goes by e-mail). */
static void
test_sms_limit_notice(void **state)
{
	struct arena a;
	struct msg_rendered r;
	json_t *p = json_pack("{s:s, s:i}", "month", "2026-12", "limit", 500);

	(void)state;
	arena_init(&a, 4096);
	assert_int_equal(msg_render(&a, &salon, "sms.limit_reached", p, 1796000000, &r), ST_OK);
	assert_non_null(strstr(r.subject, "text messages are used up"));
	assert_non_null(strstr(r.text, "the 500 text messages its plan includes this month (2026-12)"));
	assert_non_null(strstr(r.html, "Maison &lt;Rosé&gt;"));
	json_decref(p);
	arena_free(&a);
}

/* The waitlist's offer: the freed time in words, the link on the portal
 * (the button, and in the SMS), when the turn ends; and the word that the
 * time went, which links nowhere. */
static void
test_waitlist_offer_and_gone(void **state)
{
	struct arena a;
	struct msg_rendered r;
	json_t *p = json_pack("{s:s, s:s, s:I, s:I, s:s}", "customer_name", "Zoe", "service", "Cut",
	    "starts_at", (json_int_t)1796848200, "expires_at", (json_int_t)1796846400,
	    "offer_path", "/waitlist/offer#token=abc");

	(void)state;
	arena_init(&a, 8192);
	assert_int_equal(msg_render(&a, &salon, "waitlist.offer", p, 1796000000, &r), ST_OK);
	assert_string_equal(r.subject, "A time opened up at Maison <Rosé>: Wednesday 9 December, 3:30 pm");
	assert_non_null(strstr(r.text, "Book this time: https://maison.example.net/waitlist/offer#token=abc"));
	assert_non_null(strstr(r.text, "yours to take until Wednesday 9 December, 3 pm"));
	assert_non_null(strstr(r.sms, "First to confirm gets it: "
	    "https://maison.example.net/waitlist/offer#token=abc"));
	assert_int_equal(msg_render(&a, &salon, "waitlist.gone", p, 1796000000, &r), ST_OK);
	assert_non_null(strstr(r.subject, "the time on Wednesday 9 December, 3:30 pm has gone"));
	assert_non_null(strstr(r.sms, "is no longer available. You are still on the waitlist."));
	assert_null(strstr(r.text, "token="));
	json_decref(p);
	arena_free(&a);
}

static void
test_eml(void **state)
{
	struct arena a;
	struct mail m = { "Zoë \"Z\"\r\nBcc: x@evil", "from@example.net", "desk@example.net",
		"to@example.com", "Hi\r\nBcc: y@evil", "text", "<p>html</p>", "<1@example.net>",
		1796761800, NULL, NULL, NULL };
	char *e;

	(void)state;
	arena_init(&a, 4096);
	e = smtp_render_eml(&a, &m, "B");
	assert_null(strstr(e, "\r\nBcc:"));
	assert_non_null(strstr(e, "From: =?UTF-8?B?"));
	assert_non_null(strstr(e, "Subject: Hi  Bcc: y@evil\r\n"));
	assert_non_null(strstr(e, "Reply-To: <desk@example.net>\r\n"));
	assert_non_null(strstr(e, "Date: Tue, 08 Dec 2026 20:30:00 +0000\r\n"));
	assert_non_null(strstr(e, "Content-Type: multipart/alternative; boundary=\"B-a\""));
	assert_null(strstr(e, "List-Unsubscribe"));
	assert_null(strstr(e, "text/calendar"));
	m.list_unsubscribe = "<https://x.example/u>";
	m.ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
	m.ics_method = "PUBLISH";
	e = smtp_render_eml(&a, &m, "B");
	assert_non_null(strstr(e, "List-Unsubscribe: <https://x.example/u>\r\n"
	    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
	assert_non_null(strstr(e, "Content-Type: text/calendar; charset=UTF-8; method=PUBLISH"));
	assert_string_equal(smtp_phrase(&a, "A \"B\" \\ C"), "\"A \\\"B\\\" \\\\ C\"");
	arena_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_when_words),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_booking_confirmed),
		cmocka_unit_test(test_white_label_and_cancel),
		cmocka_unit_test(test_reminder_unsubscribe_and_unknown),
		cmocka_unit_test(test_planner_reminder_and_nudge),
		cmocka_unit_test(test_sms_limit_notice),
		cmocka_unit_test(test_waitlist_offer_and_gone),
		cmocka_unit_test(test_eml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
