/* http.h — what route handlers see of HTTP: our own request and response,
 * never h2o's. A handler is a plain, linear, blocking function run on the
 * worker pool; it fills the response or returns a status with r->err set,
 * and the HTTP layer renders the error body. */
#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/ctx.h"
#include "core/ids.h"
#include "core/status.h"

struct app;
struct http_job;
struct principal;
struct route;

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_PATCH = 1 << 4,
	HTTP_DELETE = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
};

struct http_header {
	const char *name;	/* lower case */
	const char *value;
	size_t value_len;
};

#define ROUTE_PARAMS_MAX 4
#define RESPONSE_HEADERS_MAX 16

struct request {
	struct arena *arena;
	struct app *app;
	enum http_method method;
	const char *method_name;
	const char *path;		/* without the query string */
	const char *query;		/* after '?', or NULL */
	const char *host;		/* lower case, port removed */
	const char *remote_addr;
	const char *body;
	size_t body_len;
	const struct http_header *headers;
	size_t nheaders;
	char request_id[REQUEST_ID_MAX + 1];

	const struct route *route;
	const char *param_names[ROUTE_PARAMS_MAX];
	const char *param_values[ROUTE_PARAMS_MAX];
	size_t nparams;

	/* What services are handed: the tenant once resolved, the caller
	 * once authenticated (ctx.principal, NULL on public routes), and
	 * this request's arena, err, id and cancellation flag. */
	struct ctx ctx;

	/* Set by the browser guard when another site's page may read the
	 * reply: echoed in Access-Control-Allow-Origin, errors included. */
	const char *cors_origin;

	/* Set by the HTTP layer when the client went away: long handlers
	 * (streams, model calls) check it and stop. */
	atomic_bool *cancelled;
	struct http_job *stream;	/* the HTTP layer's, for http_stream_* */

	struct err err;
};

struct response {
	int status;
	const char *content_type;
	const char *body;	/* arena- or static-owned */
	size_t body_len;
	struct { const char *name; const char *value; } headers[RESPONSE_HEADERS_MAX];
	size_t nheaders;
};

typedef enum status (*route_fn)(struct request *r, struct response *w);

/* How a route learns its tenant. */
enum route_tenancy {
	TENANCY_NONE,		/* platform routes: health, metrics */
	TENANCY_HOST,		/* from Host only (public pages, widget) */
	TENANCY_HOST_OR_HEADER,	/* Host, or X-Tenant-ID (id or slug) */
};

struct route {
	unsigned methods;	/* enum http_method bits */
	const char *pattern;	/* "/v1/things/{id}" */
	route_fn fn;
	enum route_tenancy tenancy;
	int perm;		/* PERM(resource, verb) from authz.h; 0 = public */
	const char *name;	/* for metrics and logs; defaults to pattern */
};

/* A module's routes as one object, so its header declares one line per
 * table: `const struct route_table x = TABLE_OF(x_v);`. */
struct route_table {
	const struct route *v;
	size_t n;
};
#ifndef TABLE_OF
#define TABLE_OF(a) { (a), sizeof(a) / sizeof((a)[0]) }
#endif

/* Request helpers. */
const char *http_header(const struct request *r, const char *lower_name);
/* A cookie's value (in r's arena; trailing spaces dropped), or NULL when
 * absent, empty or longer than 128 bytes. Every Cookie header counts (HTTP/2
 * may split them). */
const char *http_cookie(const struct request *r, const char *name);

/* The signed-in session's cookie: set by the auth module; the admin shell
 * only looks whether a request carries one. */
#define HTTP_SESSION_COOKIE "rcp_session"
/* The client's address: the TCP peer, unless the peer is one of the n
 * trusted proxies and the request has X-Forwarded-For; then the rightmost
 * address of that list that is not itself a trusted proxy (addresses left
 * of it were written by whoever the client is and prove nothing). A
 * malformed entry stops the walk at the last hop known good. */
struct cidr;
const char *http_client_addr(struct arena *a, const char *peer, const struct cidr *trusted,
    size_t n, const struct http_header *hs, size_t nhs);
const char *http_param(const struct request *r, const char *name);
/* Query parameter value (percent-decoded, arena-owned), or NULL. */
const char *http_query(struct request *r, const char *name);
/* Every pair of the query string, in order (repeats kept), percent-decoded
 * ('+' is a space) and UTF-8 checked, arena-owned; a name without '='
 * has the value "". Nothing is written to r->err: callers word it. */
struct http_qparam {
	const char *name;
	const char *value;
};
enum http_qstatus {
	HTTP_QUERY_OK,
	HTTP_QUERY_MALFORMED,	/* a bad escape, an embedded NUL, not UTF-8 */
	HTTP_QUERY_TOO_MANY,	/* more than max pairs */
};
enum http_qstatus http_query_all(const struct request *r, struct http_qparam *out,
    size_t max, size_t *n) MUST_USE;
/* The same over a query string (NULL: no pairs), allocating in a. */
enum http_qstatus http_query_split(struct arena *a, const char *query,
    struct http_qparam *out, size_t max, size_t *n) MUST_USE;
/* Parses the body as a JSON object (content type, size cap, syntax). */
enum status http_json_body(struct request *r, json_t **out) MUST_USE;

/* Response helpers: each returns ST_OK so handlers can `return reply_…`. */
enum status reply_json(struct request *r, struct response *w, int status, json_t *body);
enum status reply_text(struct response *w, int status, const char *content_type,
    const char *body, size_t len);
void response_header(struct response *w, const char *name, const char *value);

/* Streaming replies (Server-Sent Events): start once with the status and
 * content type (and any headers already added to w), then write chunks as
 * they come; the reply ends when the handler returns ST_OK. A write blocks
 * while the client is far behind, and fails with ST_UNAVAILABLE once the
 * client has gone away: the handler should stop. */
enum status http_stream_start(struct request *r, struct response *w, int status,
    const char *content_type) MUST_USE;
/* Optional, before http_stream_start: takes the stream's place among the
 * STREAMS_MAX now (the thread leaves the worker pool), so that a handler
 * with work to commit first can be refused (503) before it does any.
 * http_stream_start then cannot fail for lack of room. */
enum status http_stream_admit(struct request *r) MUST_USE;
enum status http_stream_write(struct request *r, const void *p, size_t n) MUST_USE;
/* The same without waiting: ST_CONFLICT when the client is too far behind
 * to take n more bytes now (for keep-alive comments, which can skip). */
enum status http_stream_try_write(struct request *r, const void *p, size_t n) MUST_USE;

/* True once the server was asked to stop: open-ended streams (live
 * updates) end so the drain does not wait for them. */
bool http_shutting_down(void);

/* Renders r->err as the error body into w; used by the HTTP layer. */
void http_render_error(struct request *r, struct response *w, enum status st);

#endif
