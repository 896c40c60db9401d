/* http_client.h — outbound HTTP(S) for provider adapters, over libcurl.
 *
 * Every call has a connect timeout and a total timeout, the response body
 * is capped, redirects are not followed, only http:// and https:// are
 * spoken, and nothing is logged here (bodies carry tokens and personal
 * data). Base URLs come from configuration, so tests point the adapters at
 * local fakes. Blocking: call it from request workers or jobs, never from
 * an event-loop thread, and never while holding a database transaction. */
#ifndef CORE_HTTP_CLIENT_H
#define CORE_HTTP_CLIENT_H

#include <jansson.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/status.h"

#define HTTP_CLIENT_CONNECT_TIMEOUT_MS 2000
#define HTTP_CLIENT_TIMEOUT_MS 5000
#define HTTP_CLIENT_MAX_RESPONSE (1024 * 1024)
#define HTTP_CLIENT_MAX_HEADERS 16

struct http_client_request {
	const char *method;		/* "GET", "POST", "PATCH", "DELETE", … */
	const char *url;
	/* "name: value" lines; at most HTTP_CLIENT_MAX_HEADERS, NULL-ended. */
	const char *headers[HTTP_CLIENT_MAX_HEADERS + 1];
	const char *body;		/* NULL: no body */
	size_t body_len;
	long connect_timeout_ms;	/* 0: HTTP_CLIENT_CONNECT_TIMEOUT_MS */
	long timeout_ms;		/* 0: HTTP_CLIENT_TIMEOUT_MS (the whole exchange) */
	size_t max_response;		/* 0: HTTP_CLIENT_MAX_RESPONSE */
};

struct http_client_response {
	long status;		/* HTTP status of the final response */
	char *body;		/* arena-owned, NUL-terminated (may hold NULs) */
	size_t body_len;
	int retry_after_s;	/* Retry-After in seconds (delta or date); 0 if absent */
	json_t *json;		/* the body parsed, when it is JSON (arena-owned); else NULL */
};

/* Adds a header line to req (ignored past the cap). */
void http_client_header(struct arena *a, struct http_client_request *req,
    const char *name, const char *value);

/* Sends req. ST_OK whenever a response arrived, whatever its status (the
 * caller decides what a 404 means); ST_TIMEOUT when a timeout expired;
 * ST_TOO_LARGE when the response passed its cap; ST_UPSTREAM when no
 * response came (DNS, connection refused, TLS). e gets a reason without
 * URLs' query strings or bodies. out->json is parsed when the body is
 * JSON. */
enum status http_client_do(struct arena *a, const struct http_client_request *req,
    struct http_client_response *out, struct err *e) MUST_USE;

/* Percent-encodes s for a query value or a form field (RFC 3986
 * unreserved characters stay as they are). */
char *http_client_escape(struct arena *a, const char *s);

/* "k1=v1&k2=v2" from kv = { k1, v1, k2, v2, …, NULL }, each part escaped;
 * a NULL value skips its key. */
char *http_client_form(struct arena *a, const char *const *kv);

/* Seconds from a Retry-After value: delta-seconds or an HTTP date
 * (relative to now). 0 when absent or unparseable; capped at one day. */
int http_client_parse_retry_after(const char *v, long now);

#endif
