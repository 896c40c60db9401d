/* app.h — the composition root shared by `serve` and `worker`: the
 * configuration and the long-lived objects every request may reach. Built
 * once in main.c, read-only afterwards (each member guards its own state). */
#ifndef APP_H
#define APP_H

#include "core/config.h"
#include "http/http.h"
#include "http/router.h"

struct db_pool;
struct metrics;

struct app {
	struct config cfg;
	struct router router;
	struct db_pool *db;
	struct metrics *metrics;
	/* Resolves r->ctx.tenant for routes that need one (the tenants module
	 * provides it; the HTTP layer does not depend on modules). */
	enum status (*resolve_tenant)(struct request *r);
	/* Identifies the caller (session cookie, API key, service token) and
	 * checks the route's permission; set by the auth module. */
	enum status (*authenticate)(struct request *r, int perm);
	/* Rules for requests from browsers on other sites (origin check,
	 * CORS, rate limits), run once the tenant is known; may set
	 * r->cors_origin. `preflight` answers CORS preflights (OPTIONS with
	 * Access-Control-Request-Method). Set by the web module; NULL = none. */
	enum status (*browser_guard)(struct request *r);
	enum status (*preflight)(struct request *r, struct response *w);
};

#endif
