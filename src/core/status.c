/* status.c — the status → HTTP table and error-detail helpers. */
#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	int http;
	const char *code;
	const char *message;
} table[ST__COUNT] = {
	[ST_OK] = { 200, "OK", "ok" },
	[ST_INVALID] = { 400, "INVALID_ARGUMENT", "The request is invalid." },
	[ST_UNAUTHENTICATED] = { 401, "UNAUTHENTICATED", "Authentication is required." },
	[ST_FORBIDDEN] = { 403, "FORBIDDEN", "You are not allowed to do this." },
	[ST_NOTFOUND] = { 404, "NOT_FOUND", "Not found." },
	[ST_METHOD] = { 405, "METHOD_NOT_ALLOWED", "Method not allowed on this path." },
	[ST_CONFLICT] = { 409, "CONFLICT", "The resource changed or already exists." },
	[ST_TOO_LARGE] = { 413, "PAYLOAD_TOO_LARGE", "The request body is too large." },
	[ST_UNSUPPORTED_MEDIA] = { 415, "UNSUPPORTED_MEDIA_TYPE", "Send application/json." },
	[ST_UNPROCESSABLE] = { 422, "UNPROCESSABLE", "The request cannot be processed." },
	[ST_RATE_LIMITED] = { 429, "RATE_LIMITED", "Too many requests; retry later." },
	[ST_INTERNAL] = { 500, "INTERNAL", "Something went wrong on our side." },
	[ST_UPSTREAM] = { 502, "UPSTREAM", "A provider we depend on failed." },
	[ST_UNAVAILABLE] = { 503, "UNAVAILABLE", "The service is busy; retry later." },
	[ST_TIMEOUT] = { 504, "TIMEOUT", "The request took too long." },
};

static int
valid(enum status st)
{
	return (unsigned)st < ST__COUNT;
}

int
status_http(enum status st)
{
	return valid(st) ? table[st].http : 500;
}

const char *
status_code(enum status st)
{
	return valid(st) ? table[st].code : "INTERNAL";
}

const char *
status_default_message(enum status st)
{
	return valid(st) ? table[st].message : table[ST_INTERNAL].message;
}

void
err_clear(struct err *e)
{
	e->message[0] = '\0';
	e->ndetails = 0;
	e->nviolations = 0;
	e->retry_after = 0;
}

/* Error texts end up in JSON bodies, which must be UTF-8, or the caller
 * gets the generic message instead of ours: a cut at the buffer's size
 * can split a character, and a message may quote the caller's bytes (a
 * JSON parser's "near '…'" stops inside a character). Each byte that is
 * not part of a well-formed sequence becomes '?'. */
static void
utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n, i;
		unsigned cp;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else {
			*p++ = '?';
			continue;
		}
		/* Stops at the terminating NUL: it is no continuation byte. */
		for (i = 1; i <= n && (p[i] & 0xc0) == 0x80; i++)
			cp = cp << 6 | (p[i] & 0x3fu);
		if (i <= n || (n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			*p++ = '?';
			continue;
		}
		p += n + 1;
	}
}

enum status
err_set(struct err *e, enum status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	utf8_scrub(e->message);
	return st;
}

void
err_detail(struct err *e, const char *field, const char *fmt, ...)
{
	struct err_detail *d;
	va_list ap;

	e->nviolations++;
	if (e->ndetails >= ERR_DETAILS_MAX)
		return;
	d = &e->details[e->ndetails++];
	snprintf(d->field, sizeof(d->field), "%s", field);
	utf8_scrub(d->field);
	va_start(ap, fmt);
	vsnprintf(d->issue, sizeof(d->issue), fmt, ap);
	va_end(ap);
	utf8_scrub(d->issue);
}
