/* router.h — path matching with {params} and per-route method lists. */
#ifndef HTTP_ROUTER_H
#define HTTP_ROUTER_H

#include "http/http.h"

#define ROUTER_MAX_ROUTES 256

struct router {
	struct route routes[ROUTER_MAX_ROUTES];
	size_t n;
};

void router_init(struct router *rt);
/* Aborts on a malformed pattern or a full table: routes are fixed at build. */
void router_add(struct router *rt, const struct route *route);
void router_add_all(struct router *rt, const struct route *routes, size_t n);

void router_add_table(struct router *rt, const struct route_table *t);

/* Finds the route for method + path. ST_NOTFOUND when no pattern matches,
 * ST_METHOD when one matches but not this method (allow_out gets the
 * methods that are allowed, for the Allow header). Params point into the
 * arena. */
enum status router_match(const struct router *rt, struct arena *a,
    enum http_method method, const char *path, struct request *r,
    unsigned *allow_out) MUST_USE;

/* Index of a route for metrics (routes[i]). */
size_t router_index(const struct router *rt, const struct route *route);
/* "GET, HEAD, POST" for an Allow header. */
void router_allow_string(unsigned methods, char *out, size_t outsz);
enum http_method http_method_parse(const char *s, size_t n);

#endif
