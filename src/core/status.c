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

enum status
err_set(struct err *e, enum status st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
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
	va_start(ap, fmt);
	vsnprintf(d->issue, sizeof(d->issue), fmt, ap);
	va_end(ap);
}
