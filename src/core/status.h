/* status.h — the one status enum every fallible function returns, and the
 * error detail a request carries alongside it. */
#ifndef CORE_STATUS_H
#define CORE_STATUS_H

#include <stddef.h>

#define MUST_USE __attribute__((warn_unused_result))

enum status {
	ST_OK = 0,
	ST_INVALID,		/* 400 INVALID_ARGUMENT */
	ST_UNAUTHENTICATED,	/* 401 */
	ST_FORBIDDEN,		/* 403 */
	ST_NOTFOUND,		/* 404 */
	ST_METHOD,		/* 405, with Allow */
	ST_CONFLICT,		/* 409 */
	ST_TOO_LARGE,		/* 413 */
	ST_UNSUPPORTED_MEDIA,	/* 415 */
	ST_UNPROCESSABLE,	/* 422: e.g. idempotency key reused with another body */
	ST_RATE_LIMITED,	/* 429, with Retry-After */
	ST_INTERNAL,		/* 500 */
	ST_UPSTREAM,		/* 502: a provider failed */
	ST_UNAVAILABLE,		/* 503, with Retry-After */
	ST_TIMEOUT,		/* 504 */
	ST__COUNT
};

/* The HTTP status and the public error code (the seeds' vocabulary). */
int status_http(enum status st);
const char *status_code(enum status st);
const char *status_default_message(enum status st);

#define ERR_DETAILS_MAX 16
#define ERR_TEXT_MAX 256

struct err_detail {
	char field[64];
	char issue[160];
};

/* What went wrong, in words safe to show the caller. Filled by whoever
 * decides to fail; rendered once by the HTTP layer. */
struct err {
	char message[ERR_TEXT_MAX];
	struct err_detail details[ERR_DETAILS_MAX];
	size_t ndetails;
	size_t nviolations;	/* every detail reported, kept or dropped */
	int retry_after;	/* seconds, for 429 / 503 */
};

void err_clear(struct err *e);
/* Sets the message and returns st, so callers can `return err_set(...)`. */
enum status err_set(struct err *e, enum status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends a field-level detail; extra details past the cap are dropped. */
void err_detail(struct err *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
