/* messages_render.c — the templates. Each template fills one neutral shape
 * (heading, paragraphs, details, a button, a footer), which becomes the
 * plain-text part, the HTML part (every value escaped: a customer's name
 * is text, never markup) and the SMS text. Dates are written for people in
 * the business's zone; the platform's name appears only as a footer line,
 * and never for a white-label tenant (platform_name NULL). */
#include "modules/messages/messages_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"

#define LINES_MAX 8

struct shape {
	const char *subject;
	const char *heading;
	const char *lines[LINES_MAX];		/* paragraphs */
	const char *details[LINES_MAX][2];	/* label, value */
	const char *button_label, *button_url;
	const char *sms;
	bool invitation;			/* attach the .ics */
	const char *ics_status;			/* CONFIRMED or CANCELLED */
};

static const char *const weekdays[] = { "Monday", "Tuesday", "Wednesday", "Thursday",
	"Friday", "Saturday", "Sunday" };
static const char *const months[] = { "January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December" };

char *
msg_when_words(struct arena *a, struct tz *z, int64_t t)
{
	int64_t wall = tz_wall(z, t);
	int32_t days = (int32_t)tz_floor_div(wall, 86400);
	int64_t sec = tz_floor_mod(wall, 86400);
	int y, m, d, h = (int)(sec / 3600), min = (int)(sec / 60 % 60);
	int h12 = h % 12 == 0 ? 12 : h % 12;

	tz_civil_from_days(days, &y, &m, &d);
	if (min == 0)
		return arena_printf(a, "%s %d %s, %d %s", weekdays[tz_iso_weekday(days) - 1], d,
		    months[m - 1], h12, h < 12 ? "am" : "pm");
	return arena_printf(a, "%s %d %s, %d:%02d %s", weekdays[tz_iso_weekday(days) - 1], d,
	    months[m - 1], h12, min, h < 12 ? "am" : "pm");
}

char *
msg_html_escape(struct arena *a, const char *s)
{
	char *o, *p;

	if (s == NULL)
		return arena_strdup(a, "");
	o = p = arena_alloc(a, strlen(s) * 6 + 1);
	for (; *s; s++) {
		switch (*s) {
		case '&': p = stpcpy(p, "&amp;"); break;
		case '<': p = stpcpy(p, "&lt;"); break;
		case '>': p = stpcpy(p, "&gt;"); break;
		case '"': p = stpcpy(p, "&quot;"); break;
		case '\'': p = stpcpy(p, "&#39;"); break;
		default: *p++ = *s;
		}
	}
	*p = '\0';
	return o;
}

char *
msg_ics_escape(struct arena *a, const char *s)
{
	char *o, *p;

	if (s == NULL)
		return arena_strdup(a, "");
	o = p = arena_alloc(a, strlen(s) * 2 + 1);
	for (; *s; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n') {
			p = stpcpy(p, "\\n");
			continue;
		}
		if (*s == '\\' || *s == ';' || *s == ',')
			*p++ = '\\';
		*p++ = *s;
	}
	*p = '\0';
	return o;
}

static const char *
str(json_t *payload, const char *k)
{
	const char *v = json_string_value(json_object_get(payload, k));

	return v != NULL && *v ? v : NULL;
}

static const char *
or(const char *a, const char *b)
{
	return a != NULL ? a : b;
}

/* An instant from the payload: epoch seconds (the booking notices) or RFC
 * 3339 (the reminder planner's SQL); 0 when absent. */
static int64_t
instant_of(json_t *payload, const char *k)
{
	json_t *v = json_object_get(payload, k);
	int64_t secs = 0;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v) && time_parse_rfc3339(json_string_value(v), 0, &secs, NULL))
		return secs;
	return 0;
}

/* What is booked: "service", or the "services" list joined. */
static const char *
service_of(struct arena *a, json_t *payload)
{
	json_t *list = json_object_get(payload, "services"), *v;
	const char *out = NULL;
	size_t i;

	if (str(payload, "service") != NULL || !json_is_array(list))
		return str(payload, "service");
	json_array_foreach(list, i, v)
		if (json_is_string(v))
			out = out == NULL ? json_string_value(v) :
			    arena_printf(a, "%s, %s", out, json_string_value(v));
	return out;
}

/* iCalendar UTC date-time: 20261209T203000Z */
static char *
ics_time(struct arena *a, int64_t t)
{
	char buf[TIME_UTC_SIZE], *o = arena_alloc(a, 17), *p = o;

	time_format_utc(t, buf);	/* 2026-12-09T20:30:00Z */
	for (const char *s = buf; *s && p - o < 16; s++)
		if (*s != '-' && *s != ':')
			*p++ = *s;
	*p = '\0';
	return o;
}

static char *
ics(struct arena *a, const struct msg_brand *b, json_t *payload, const struct shape *s,
    int64_t start, int64_t end, int64_t now)
{
	json_int_t version = json_integer_value(json_object_get(payload, "version"));
	const char *service = or(str(payload, "service"), "Appointment");

	return arena_printf(a, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//%s//Bookings//EN\r\n"
	    "METHOD:PUBLISH\r\nCALSCALE:GREGORIAN\r\nBEGIN:VEVENT\r\nUID:%s@%s\r\n"
	    "SEQUENCE:%lld\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\n"
	    "LOCATION:%s\r\nDESCRIPTION:%s\r\nSTATUS:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	    msg_ics_escape(a, b->name), or(str(payload, "booking_id"), "booking"),
	    b->domain, (long long)version, ics_time(a, now), ics_time(a, start), ics_time(a, end),
	    msg_ics_escape(a, arena_printf(a, "%s at %s", service, b->name)),
	    msg_ics_escape(a, or(b->address, b->name)),
	    msg_ics_escape(a, arena_printf(a, "Reference %s", or(str(payload, "reference"), "-"))),
	    s->ics_status);
}

/* ---- the templates -------------------------------------------------------------------- */

/* A paragraph after the last one (lines end at the first NULL). */
static void
add_line(struct shape *s, const char *text)
{
	for (int i = 0; i < LINES_MAX; i++)
		if (s->lines[i] == NULL) {
			s->lines[i] = text;
			return;
		}
}

static void
booking(struct arena *a, const struct msg_brand *b, json_t *payload, const char *when,
    const char *event, struct shape *s)
{
	const char *name = or(str(payload, "customer_name"), "there");
	const char *service = or(service_of(a, payload), "your appointment");
	const char *ref = or(str(payload, "reference"), "");
	const char *manage = str(payload, "manage_url");
	const char *confirm = str(payload, "confirm_url");

	if (manage == NULL && b->portal_base != NULL && str(payload, "reference") != NULL &&
	    strcmp(event, "cancelled") != 0)
		manage = arena_printf(a, "%s/booking/%s", b->portal_base, str(payload, "reference"));

	s->details[0][0] = "When";
	s->details[0][1] = when;
	s->details[1][0] = "What";
	s->details[1][1] = service;
	s->details[2][0] = "Reference";
	s->details[2][1] = ref;
	if (b->address != NULL) {
		s->details[3][0] = "Where";
		s->details[3][1] = b->address;
	}
	s->lines[0] = arena_printf(a, "Hello %s,", name);
	s->invitation = true;
	s->ics_status = "CONFIRMED";
	if (manage != NULL) {
		s->button_label = "Manage your booking";
		s->button_url = manage;
	}
	if (strcmp(event, "confirmed") == 0) {
		s->subject = arena_printf(a, "Your booking at %s is confirmed: %s", b->name, when);
		s->heading = "Your booking is confirmed";
		s->lines[1] = arena_printf(a, "We look forward to seeing you on %s.", when);
		s->sms = arena_printf(a, "%s: your booking (%s) is confirmed for %s. Ref %s.",
		    b->name, service, when, ref);
	} else if (strcmp(event, "rescheduled") == 0) {
		s->subject = arena_printf(a, "Your booking at %s has moved to %s", b->name, when);
		s->heading = "Your booking has moved";
		s->lines[1] = arena_printf(a, "Your booking is now on %s.", when);
		s->sms = arena_printf(a, "%s: your booking (%s) has moved to %s. Ref %s.",
		    b->name, service, when, ref);
	} else if (strcmp(event, "reminder") == 0 || strcmp(event, "confirm_nudge") == 0) {
		bool nudge = strcmp(event, "confirm_nudge") == 0;

		s->subject = nudge ? arena_printf(a, "Please confirm: %s at %s, %s", service, b->name,
		    when) : arena_printf(a, "Reminder: %s at %s, %s", service, b->name, when);
		s->heading = nudge ? "Are you still coming?" : "See you soon";
		s->lines[1] = nudge ? arena_printf(a, "Please confirm your booking on %s, or change"
		    " it if you cannot make it.", when) :
		    arena_printf(a, "A reminder of your booking on %s.", when);
		/* With a confirmation link, confirming is the button; managing
		 * (moving, cancelling) stays one line below. */
		if (confirm != NULL) {
			s->button_label = "Yes, I'm coming";
			s->button_url = confirm;
		}
		s->sms = arena_printf(a, "%s: %s (%s) on %s. Ref %s.%s", b->name,
		    nudge ? "please confirm your booking" : "reminder of your booking", service, when,
		    ref, confirm != NULL ? " Reply C to confirm." : "");
	} else {
		s->subject = arena_printf(a, "Your booking at %s on %s is cancelled", b->name, when);
		s->heading = "Your booking is cancelled";
		s->lines[1] = arena_printf(a, "Your booking on %s has been cancelled.", when);
		s->ics_status = "CANCELLED";
		s->sms = arena_printf(a, "%s: your booking (%s) on %s is cancelled. Ref %s.",
		    b->name, service, when, ref);
	}
	if (b->contact_email != NULL)
		add_line(s, arena_printf(a, "Questions? Reply to this e-mail or write to %s.",
		    b->contact_email));
	if (confirm != NULL && manage != NULL)
		add_line(s, arena_printf(a, "Cannot make it? Change or cancel: %s", manage));
}

static void
alert(struct arena *a, const struct msg_brand *b, json_t *payload, const char *when,
    const char *kind, struct shape *s)
{
	const char *name = or(str(payload, "customer_name"), "A customer");
	const char *service = or(str(payload, "service"), "an appointment");

	if (strcmp(kind, "new") == 0) {
		s->subject = arena_printf(a, "New booking: %s, %s", name, when);
		s->heading = "New booking";
		s->lines[0] = arena_printf(a, "%s booked %s for %s.", name, service, when);
	} else {
		s->subject = arena_printf(a, "Cancelled: %s, %s", name, when);
		s->heading = "Booking cancelled";
		s->lines[0] = arena_printf(a, "%s cancelled %s on %s.", name, service, when);
	}
	s->details[0][0] = "Reference";
	s->details[0][1] = or(str(payload, "reference"), "");
	s->sms = arena_printf(a, "%s: %s", b->name, s->lines[0]);
}

/* The waitlist's offer of a freed time, and the word that it went. The
 * offer's link is the portal's, with the token in the fragment. */
static void
waitlist(struct arena *a, const struct msg_brand *b, json_t *payload, const char *when,
    struct tz *z, bool offer, struct shape *s)
{
	const char *service = or(str(payload, "service"), "an appointment");
	const char *path = str(payload, "offer_path");
	const char *url = path != NULL && b->portal_base != NULL ?
	    arena_printf(a, "%s%s", b->portal_base, path) : NULL;
	int64_t until = instant_of(payload, "expires_at");

	s->lines[0] = arena_printf(a, "Hello %s,", or(str(payload, "customer_name"), "there"));
	s->details[0][0] = "When";
	s->details[0][1] = when;
	s->details[1][0] = "What";
	s->details[1][1] = service;
	if (!offer) {
		s->subject = arena_printf(a, "%s: the time on %s has gone", b->name, when);
		s->heading = "That time has gone";
		/* Said the same whether another customer took it or it became
		 * too late to book: either way it is not theirs to take. */
		s->lines[1] = arena_printf(a, "Sorry, %s on %s is no longer available. You are"
		    " still on the waitlist, and we will write if another time frees up.", service,
		    when);
		s->sms = arena_printf(a, "%s: sorry, %s on %s is no longer available. You are"
		    " still on the waitlist.", b->name, service, when);
		return;
	}
	s->subject = arena_printf(a, "A time opened up at %s: %s", b->name, when);
	s->heading = "A time opened up";
	s->lines[1] = arena_printf(a, "%s on %s is free again, and you are on the waitlist."
	    " The first person to confirm gets it.", service, when);
	if (until > 0 && z != NULL)
		s->lines[2] = arena_printf(a, "It is yours to take until %s; after that we ask the"
		    " next person, but you can still book it while it is free.",
		    msg_when_words(a, z, until));
	s->button_label = "Book this time";
	s->button_url = url;
	s->sms = arena_printf(a, "%s: %s on %s is free. First to confirm gets it%s%s", b->name,
	    service, when, url != NULL ? ": " : ".", url != NULL ? url : "");
}

static enum status
fill(struct arena *a, const struct msg_brand *b, const char *t, json_t *payload,
    struct shape *s, int64_t *start, int64_t *end)
{
	const char *when = NULL;
	struct tz *z = NULL;

	*start = instant_of(payload, "starts_at");
	*end = instant_of(payload, "ends_at");
	if (*end <= *start)
		*end = *start + 3600;
	if (*start > 0 && tz_open(a, b->zone ? b->zone : "UTC", &z) == ST_OK)
		when = msg_when_words(a, z, *start);
	else
		when = or(str(payload, "start"), "the time you chose");

	if (strcmp(t, "auth.invitation") == 0) {
		s->subject = arena_printf(a, "You're invited to join %s", b->name);
		s->heading = arena_printf(a, "Join %s", b->name);
		s->lines[0] = arena_printf(a, "You have been invited to join %s's team as %s.",
		    b->name, or(str(payload, "role"), "a member"));
		s->lines[1] = arena_printf(a, "The invitation is valid for %lld days.",
		    (long long)json_integer_value(json_object_get(payload, "expires_in_days")));
		s->button_label = "Accept the invitation";
		s->button_url = str(payload, "accept_url");
	} else if (strcmp(t, "auth.password_reset") == 0) {
		s->subject = "Reset your password";
		s->heading = "Reset your password";
		s->lines[0] = arena_printf(a, "Hello %s,", or(str(payload, "name"), "there"));
		s->lines[1] = arena_printf(a, "Someone asked to reset your password. The link"
		    " works once, for %lld minutes. If it was not you, ignore this e-mail.",
		    (long long)json_integer_value(json_object_get(payload, "expires_in_minutes")));
		s->button_label = "Choose a new password";
		s->button_url = str(payload, "reset_url");
	} else if (strncmp(t, "booking.", 8) == 0 && (strcmp(t + 8, "confirmed") == 0 ||
	    strcmp(t + 8, "rescheduled") == 0 || strcmp(t + 8, "cancelled") == 0 ||
	    strcmp(t + 8, "reminder") == 0 || strcmp(t + 8, "confirm_nudge") == 0)) {
		booking(a, b, payload, when, t + 8, s);
	} else if (strcmp(t, "booking.alert_new") == 0) {
		alert(a, b, payload, when, "new", s);
	} else if (strcmp(t, "booking.alert_cancelled") == 0) {
		alert(a, b, payload, when, "cancelled", s);
	} else if (strcmp(t, "sms.limit_reached") == 0) {
		/* From the sms module, once a month: texts stop, e-mail goes on. */
		s->subject = arena_printf(a, "%s: this month's text messages are used up", b->name);
		s->heading = "Text messages paused";
		s->lines[0] = arena_printf(a, "%s has sent the %lld text messages its plan includes"
		    " this month (%s).", b->name,
		    (long long)json_integer_value(json_object_get(payload, "limit")),
		    or(str(payload, "month"), "this month"));
		s->lines[1] = "Reminders and confirmations go on by e-mail. Texts resume next month,"
		    " or at once with a larger plan (Usage and plan in the admin app).";
		s->sms = arena_printf(a, "%s: %s", b->name, s->lines[0]);
	} else if (strcmp(t, "ai.handoff") == 0) {
		const char *who = or(str(payload, "customer_name"), "A customer");

		s->subject = arena_printf(a, "%s is waiting for a person", who);
		s->heading = "A conversation needs you";
		s->lines[0] = arena_printf(a, "%s asked to talk to someone on the %s channel.",
		    who, or(str(payload, "channel"), "web"));
		if (str(payload, "reason") != NULL)
			s->lines[1] = arena_printf(a, "Reason: %s", str(payload, "reason"));
		s->sms = arena_printf(a, "%s: %s", b->name, s->lines[0]);
	} else if (strcmp(t, "waitlist.offer") == 0 || strcmp(t, "waitlist.gone") == 0) {
		waitlist(a, b, payload, when, z, strcmp(t, "waitlist.offer") == 0, s);
	} else {
		return ST_NOTFOUND;
	}
	return ST_OK;
}

/* ---- text and HTML from the shape ------------------------------------------------------ */

static char *
text_part(struct arena *a, const struct msg_brand *b, const struct shape *s)
{
	char *buf = NULL, *out;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	fprintf(f, "%s\n\n", s->heading);
	for (int i = 0; i < LINES_MAX && s->lines[i]; i++)
		fprintf(f, "%s\n\n", s->lines[i]);
	for (int i = 0; i < LINES_MAX && s->details[i][0]; i++)
		fprintf(f, "%s: %s\n", s->details[i][0], s->details[i][1]);
	if (s->details[0][0])
		fputc('\n', f);
	if (s->button_url != NULL)
		fprintf(f, "%s: %s\n\n", s->button_label, s->button_url);
	fprintf(f, "-- \n%s\n", b->name);
	if (b->platform_name != NULL)
		fprintf(f, "Sent with %s\n", b->platform_name);
	fclose(f);
	out = arena_strndup(a, buf, len);
	free(buf);
	return out;
}

static char *
html_part(struct arena *a, const struct msg_brand *b, const struct shape *s)
{
	char *buf = NULL, *out;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	/* The colours come from a checked column (#rrggbb), but are escaped
	 * like everything else all the same. */
	const char *primary = msg_html_escape(a, b->primary ? b->primary : "#2563eb");
	const char *accent = msg_html_escape(a, b->accent ? b->accent : "#1e40af");

	if (f == NULL)
		abort();
	fprintf(f, "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s</title></head>"
	    "<body style=\"margin:0;padding:0;background:#f6f7f9;font-family:Helvetica,Arial,"
	    "sans-serif;color:#1f2933\"><table role=\"presentation\" width=\"100%%\""
	    " cellpadding=\"0\" cellspacing=\"0\"><tr><td align=\"center\" style=\"padding:24px\">"
	    "<table role=\"presentation\" width=\"560\" style=\"max-width:560px;background:#fff;"
	    "border-radius:8px;border-top:6px solid %s\"><tr><td style=\"padding:24px\">",
	    msg_html_escape(a, s->subject), primary);
	if (b->logo_url != NULL)
		fprintf(f, "<img src=\"%s\" alt=\"%s\" height=\"40\" style=\"display:block;"
		    "margin-bottom:16px\">", msg_html_escape(a, b->logo_url),
		    msg_html_escape(a, b->name));
	else
		fprintf(f, "<p style=\"font-size:18px;font-weight:bold;color:%s;margin:0 0 16px\">"
		    "%s</p>", accent, msg_html_escape(a, b->name));
	fprintf(f, "<h1 style=\"font-size:22px;margin:0 0 16px;color:%s\">%s</h1>", accent,
	    msg_html_escape(a, s->heading));
	for (int i = 0; i < LINES_MAX && s->lines[i]; i++)
		fprintf(f, "<p style=\"margin:0 0 12px;line-height:1.5\">%s</p>",
		    msg_html_escape(a, s->lines[i]));
	if (s->details[0][0]) {
		fputs("<table role=\"presentation\" style=\"margin:8px 0 16px\">", f);
		for (int i = 0; i < LINES_MAX && s->details[i][0]; i++)
			fprintf(f, "<tr><th align=\"left\" style=\"padding:4px 16px 4px 0\">%s</th>"
			    "<td style=\"padding:4px 0\">%s</td></tr>", msg_html_escape(a,
			    s->details[i][0]), msg_html_escape(a, s->details[i][1]));
		fputs("</table>", f);
	}
	if (s->button_url != NULL)
		fprintf(f, "<p style=\"margin:24px 0\"><a href=\"%s\" style=\"background:%s;"
		    "color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;"
		    "display:inline-block\">%s</a></p><p style=\"font-size:12px;color:#52606d\">"
		    "Or open this link: %s</p>", msg_html_escape(a, s->button_url), primary,
		    msg_html_escape(a, s->button_label), msg_html_escape(a, s->button_url));
	fprintf(f, "</td></tr></table><p style=\"font-size:12px;color:#52606d\">%s",
	    msg_html_escape(a, b->name));
	if (b->platform_name != NULL)
		fprintf(f, " · Sent with %s", msg_html_escape(a, b->platform_name));
	fputs("</p></td></tr></table></body></html>", f);
	fclose(f);
	out = arena_strndup(a, buf, len);
	free(buf);
	return out;
}

bool
msg_stoppable(const char *template_name)
{
	return strcmp(template_name, "booking.reminder") == 0 ||
	    strcmp(template_name, "booking.confirm_nudge") == 0;
}

enum status
msg_render(struct arena *a, const struct msg_brand *b, const char *template_name,
    json_t *payload, int64_t now, struct msg_rendered *out)
{
	struct shape s;
	int64_t start, end;
	enum status st;

	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	if ((st = fill(a, b, template_name, payload, &s, &start, &end)) != ST_OK)
		return st;
	if (msg_stoppable(template_name) && str(payload, "unsubscribe_url") != NULL)
		add_line(&s, arena_printf(a, "No more reminder e-mails from %s? Unsubscribe: %s",
		    b->name, str(payload, "unsubscribe_url")));
	out->subject = s.subject;
	out->text = text_part(a, b, &s);
	out->html = html_part(a, b, &s);
	out->sms = s.sms != NULL ? s.sms : s.subject;
	/* Reminders carry their unsubscribe link (RFC 2369 / 8058). */
	if (msg_stoppable(template_name) && str(payload, "unsubscribe_url"))
		out->list_unsubscribe = arena_printf(a, "<%s>", str(payload, "unsubscribe_url"));
	if (s.invitation && start > 0) {
		out->ics = ics(a, b, payload, &s, start, end, now);
		out->ics_method = "PUBLISH";
	}
	return ST_OK;
}

/* No styles and no script: the page needs neither, and its CSP allows none. */
char *
msg_unsubscribe_page(struct arena *a, const struct msg_brand *b, bool done)
{
	const char *name = msg_html_escape(a, b->name);

	if (done)
		return arena_printf(a, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		    "<meta name=\"robots\" content=\"noindex\"><title>%s</title></head><body>"
		    "<main><h1>You are unsubscribed</h1><p>%s will send you no more reminder e-mails."
		    " Messages about bookings you make, move or cancel still arrive.</p></main>"
		    "</body></html>\n", name, name);
	return arena_printf(a, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta name=\"robots\" content=\"noindex\"><title>%s</title></head><body>"
	    "<main><h1>Stop reminder e-mails?</h1><p>%s will send you no more reminders of"
	    " your bookings by e-mail.</p><form method=\"post\"><button type=\"submit\">"
	    "Unsubscribe</button></form></main></body></html>\n", name, name);
}
