/* router.c — a linear table of patterns. A few dozen routes: a linear scan
 * of pre-split segments is faster than anything cleverer at this size. */
#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
router_init(struct router *rt)
{
	rt->n = 0;
}

static int
pattern_ok(const char *p)
{
	int nparams = 0;

	if (p[0] != '/')
		return 0;
	for (const char *s = p; *s; s++) {
		if (*s == '{') {
			const char *e = strchr(s, '}');

			if (e == NULL || e == s + 1 || s[-1] != '/' || (e[1] != '/' && e[1] != '\0') ||
			    ++nparams > ROUTE_PARAMS_MAX)
				return 0;
			s = e;
		}
	}
	return 1;
}

void
router_add(struct router *rt, const struct route *route)
{
	if (rt->n >= ROUTER_MAX_ROUTES || !pattern_ok(route->pattern) || route->fn == NULL) {
		fprintf(stderr, "fatal: bad route %s\n", route->pattern);
		abort();
	}
	rt->routes[rt->n++] = *route;
	if (rt->routes[rt->n - 1].name == NULL)
		rt->routes[rt->n - 1].name = route->pattern;
}

void
router_add_all(struct router *rt, const struct route *routes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		router_add(rt, &routes[i]);
}

void
router_add_table(struct router *rt, const struct route_table *t)
{
	router_add_all(rt, t->v, t->n);
}

/* Matches one pattern against a path; fills params on success. */
static int
match(const char *pat, const char *path, struct arena *a, struct request *r)
{
	size_t np = 0;

	while (*pat && *path) {
		if (*pat == '{') {
			const char *pe = strchr(pat, '}');
			const char *se = strchr(path, '/');
			size_t vlen = se ? (size_t)(se - path) : strlen(path);

			if (vlen == 0 || np >= ROUTE_PARAMS_MAX)
				return 0;
			if (r != NULL) {
				r->param_names[np] = arena_strndup(a, pat + 1, (size_t)(pe - pat - 1));
				r->param_values[np] = arena_strndup(a, path, vlen);
			}
			np++;
			pat = pe + 1;
			path += vlen;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	if (*pat != '\0' || *path != '\0')
		return 0;
	if (r != NULL)
		r->nparams = np;
	return 1;
}

enum status
router_match(const struct router *rt, struct arena *a, enum http_method method,
    const char *path, struct request *r, unsigned *allow_out)
{
	unsigned allow = 0;

	for (size_t i = 0; i < rt->n; i++) {
		const struct route *route = &rt->routes[i];

		if (!match(route->pattern, path, NULL, NULL))
			continue;
		allow |= route->methods;
		/* HEAD is answered wherever GET is. */
		if ((route->methods & method) ||
		    (method == HTTP_HEAD && (route->methods & HTTP_GET))) {
			(void)match(route->pattern, path, a, r);
			r->route = route;
			return ST_OK;
		}
	}
	if (allow_out != NULL)
		*allow_out = allow;
	return allow ? ST_METHOD : ST_NOTFOUND;
}

size_t
router_index(const struct router *rt, const struct route *route)
{
	return (size_t)(route - rt->routes);
}

static const struct { enum http_method m; const char *name; } methods[] = {
	{ HTTP_GET, "GET" }, { HTTP_HEAD, "HEAD" }, { HTTP_POST, "POST" },
	{ HTTP_PUT, "PUT" }, { HTTP_PATCH, "PATCH" }, { HTTP_DELETE, "DELETE" },
	{ HTTP_OPTIONS, "OPTIONS" },
};

void
router_allow_string(unsigned m, char *out, size_t outsz)
{
	size_t len = 0;

	out[0] = '\0';
	if (m & HTTP_GET)
		m |= HTTP_HEAD;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (!(m & methods[i].m))
			continue;
		len += (size_t)snprintf(out + len, len < outsz ? outsz - len : 0, "%s%s",
		    len ? ", " : "", methods[i].name);
	}
}

enum http_method
http_method_parse(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == n && memcmp(methods[i].name, s, n) == 0)
			return methods[i].m;
	return 0;
}
