/* fuzz_router.c — router_match over request paths from the wire, against
 * a table shaped like the real one (literal routes, {params}, a pattern
 * that is a prefix of another, two params, several methods on one path).
 * Properties: a match puts the pattern's params back together into
 * exactly the path; every value is non-empty and has no '/'; a method
 * miss reports the allowed methods.
 * SOURCES: src/http/router.c src/core/arena.c
 * PKGS:
 */
#include "fuzz.h"

#include "http/router.h"

static enum status
handler(struct request *r, struct response *w)
{
	(void)r;
	(void)w;
	return ST_OK;
}

static const struct route routes[] = {
	{ HTTP_GET, "/healthz", handler, 0, 0, NULL },
	{ HTTP_GET | HTTP_POST, "/v1/admin/customers", handler, 0, 0, NULL },
	{ HTTP_GET | HTTP_PATCH | HTTP_DELETE, "/v1/admin/customers/{id}", handler, 0, 0, NULL },
	{ HTTP_GET, "/v1/admin/conversations/{id}", handler, 0, 0, NULL },
	{ HTTP_POST, "/v1/admin/conversations/{id}/reply", handler, 0, 0, NULL },
	{ HTTP_POST, "/v1/admin/conversations/{id}/handback", handler, 0, 0, NULL },
	{ HTTP_GET, "/v1/public/bookings/{ref}", handler, 0, 0, NULL },
	{ HTTP_POST, "/v1/public/bookings/{ref}/cancel", handler, 0, 0, NULL },
	{ HTTP_POST, "/v1/admin/calendar/bookings/{booking_id}/resync", handler, 0, 0, NULL },
	{ HTTP_PUT, "/v1/admin/services/{service_id}/addons/{addon_id}", handler, 0, 0, NULL },
	{ HTTP_GET, "/v1/{a}/{b}/{c}/{d}", handler, 0, 0, NULL },
};

static struct router rt;

/* Writes the pattern with each {name} replaced by its value. */
static void
rebuild(const struct request *r, char *out, size_t outsz)
{
	const char *p = r->route->pattern;
	size_t o = 0, np = 0;

	while (*p && o + 1 < outsz) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			size_t nl = (size_t)(e - p - 1), vl;

			FUZZ_CHECK(np < r->nparams);
			FUZZ_CHECK(strlen(r->param_names[np]) == nl &&
			    memcmp(r->param_names[np], p + 1, nl) == 0);
			vl = strlen(r->param_values[np]);
			FUZZ_CHECK(o + vl < outsz);
			memcpy(out + o, r->param_values[np], vl);
			o += vl;
			np++;
			p = e + 1;
			continue;
		}
		out[o++] = *p++;
	}
	FUZZ_CHECK(np == r->nparams);
	out[o] = '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum http_method methods[] = { HTTP_GET, HTTP_HEAD, HTTP_POST,
	    HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS };
	struct arena a;
	struct request r;
	enum http_method m;
	unsigned allow = 0;
	enum status st;
	char *path;

	if (size == 0)
		return 0;
	if (rt.n == 0) {
		router_init(&rt);
		router_add_all(&rt, routes, sizeof(routes) / sizeof(routes[0]));
	}
	m = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
	path = fuzz_cstr(data + 1, size - 1);
	memset(&r, 0, sizeof(r));
	arena_init(&a, 1024);
	st = router_match(&rt, &a, m, path, &r, &allow);
	if (st == ST_OK) {
		size_t n = strlen(path) + 1;
		char *back = malloc(n);

		FUZZ_CHECK(r.route != NULL && r.nparams <= ROUTE_PARAMS_MAX);
		FUZZ_CHECK((r.route->methods & m) ||
		    (m == HTTP_HEAD && (r.route->methods & HTTP_GET)));
		for (size_t i = 0; i < r.nparams; i++)
			FUZZ_CHECK(r.param_values[i][0] != '\0' &&
			    strchr(r.param_values[i], '/') == NULL);
		rebuild(&r, back, n);
		FUZZ_CHECK(strcmp(back, path) == 0);
		free(back);
	} else if (st == ST_METHOD) {
		FUZZ_CHECK(allow != 0 && !(allow & m));
	} else {
		FUZZ_CHECK(st == ST_NOTFOUND);
	}
	arena_free(&a);
	free(path);
	return 0;
}
