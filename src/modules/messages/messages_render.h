/* messages_render.h — templates: a message's subject, text, HTML, .ics
 * and SMS text from its template name, payload and the sender's brand.
 * Pure functions of their inputs (unit-tested). */
#ifndef MESSAGES_RENDER_H
#define MESSAGES_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/status.h"

struct tz;

/* Who a message comes from. For the platform's own mail, name is
 * PLATFORM_NAME and the colours are the defaults. */
struct msg_brand {
	const char *name;		/* the From name and the heading */
	const char *primary, *accent;	/* "#rrggbb" */
	const char *logo_url;		/* https, or NULL */
	const char *contact_email;	/* Reply-To, or NULL */
	const char *address;		/* one line, or NULL: the .ics LOCATION */
	const char *zone;		/* IANA zone for dates in words */
	const char *platform_name;	/* NULL for a white-label tenant: never shown */
	const char *domain;		/* for UIDs and Message-IDs */
	const char *portal_base;	/* "https://slug.example.com", or NULL */
};

struct msg_rendered {
	const char *subject, *text, *html;
	const char *ics, *ics_method;	/* NULL when no invitation */
	const char *list_unsubscribe;	/* NULL unless a reminder */
	const char *sms;		/* the text message variant */
};

/* "Tuesday 9 December, 3:30 pm" in z. */
char *msg_when_words(struct arena *a, struct tz *z, int64_t t);
/* s with & < > " ' escaped for HTML text and attributes. */
char *msg_html_escape(struct arena *a, const char *s);
/* An iCalendar TEXT value: \ ; , and newlines escaped. */
char *msg_ics_escape(struct arena *a, const char *s);

/* Reminders (booking.reminder, booking.confirm_nudge): the only mail a
 * customer can unsubscribe from; it carries the link when the payload has
 * unsubscribe_url. */
bool msg_stoppable(const char *template_name);

/* The small page the unsubscribe link opens: the question with its button
 * (done false) or the answer (done true). A whole HTML document. */
char *msg_unsubscribe_page(struct arena *a, const struct msg_brand *b, bool done);

/* ST_NOTFOUND for a template we do not know (the message fails). */
enum status msg_render(struct arena *a, const struct msg_brand *b, const char *template_name,
    json_t *payload, int64_t now, struct msg_rendered *out) MUST_USE;

#endif
