/* test_router.c — path matching: exact paths, {params}, 404 versus 405
 * with the Allow set, HEAD on GET routes, method parsing, and the table
 * limits that abort at start-up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "http/router.h"
#include "death.h"

static enum status
handler_a(struct request *r, struct response *w)
{
	return ST_OK;
}

static enum status
handler_b(struct request *r, struct response *w)
{
	return ST_OK;
}

static const struct route routes[] = {
	{ HTTP_GET, "/healthz", handler_a, TENANCY_NONE, 0, "health" },
	{ HTTP_GET | HTTP_POST, "/v1/things", handler_a, TENANCY_NONE, 0, NULL },
	{ HTTP_GET, "/v1/things/new", handler_b, TENANCY_NONE, 0, NULL },
	{ HTTP_GET | HTTP_PATCH, "/v1/things/{id}", handler_a, TENANCY_NONE, 0, NULL },
	{ HTTP_DELETE, "/v1/things/{id}", handler_b, TENANCY_NONE, 0, NULL },
	{ HTTP_GET, "/v1/tenants/{tid}/services/{sid}", handler_a, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/hooks/{provider}", handler_b, TENANCY_NONE, 0, NULL },
	{ HTTP_GET, "/v1/a/{p1}/{p2}/{p3}/{p4}", handler_a, TENANCY_NONE, 0, NULL },
};

struct fixture {
	struct router rt;
	struct arena arena;
	struct request req;
	unsigned allow;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	router_init(&f->rt);
	router_add_all(&f->rt, routes, sizeof(routes) / sizeof(routes[0]));
	arena_init(&f->arena, 0);
	f->req.arena = &f->arena;
	f->allow = 0xdead;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	arena_free(&f->arena);
	free(f);
	return 0;
}

static enum status
match(struct fixture *f, enum http_method m, const char *path)
{
	memset(&f->req, 0, sizeof(f->req));
	f->req.arena = &f->arena;
	f->req.path = path;
	f->allow = 0xdead;
	return router_match(&f->rt, &f->arena, m, path, &f->req, &f->allow);
}

static void
test_exact_path_matches(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_GET, "/healthz"), ST_OK);
	assert_ptr_equal(f->req.route, &f->rt.routes[0]);
	assert_int_equal(f->req.nparams, 0);
}

static void
test_route_name_defaults_to_pattern(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(f->rt.routes[0].name, "health");
	assert_string_equal(f->rt.routes[1].name, "/v1/things");
}

static void
test_router_index_gives_the_table_position(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_POST, "/v1/hooks/stripe"), ST_OK);
	assert_int_equal(router_index(&f->rt, f->req.route), 6);
}

static void
test_one_param_is_extracted(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_GET, "/v1/things/abc-123"), ST_OK);
	assert_ptr_equal(f->req.route, &f->rt.routes[3]);
	assert_int_equal(f->req.nparams, 1);
	assert_string_equal(http_param(&f->req, "id"), "abc-123");
	assert_null(http_param(&f->req, "other"));
}

static void
test_two_params_are_extracted(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_GET, "/v1/tenants/t1/services/s2"), ST_OK);
	assert_int_equal(f->req.nparams, 2);
	assert_string_equal(http_param(&f->req, "tid"), "t1");
	assert_string_equal(http_param(&f->req, "sid"), "s2");
}

static void
test_params_outlive_the_path_buffer(void **state)
{
	struct fixture *f = *state;
	char path[] = "/v1/things/xyz";

	assert_int_equal(match(f, HTTP_GET, path), ST_OK);
	memset(path, '!', sizeof(path) - 1);
	assert_string_equal(http_param(&f->req, "id"), "xyz");
}

static void
test_route_params_max_params_are_extracted(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ROUTE_PARAMS_MAX, 4);
	assert_int_equal(match(f, HTTP_GET, "/v1/a/1/2/3/4"), ST_OK);
	assert_int_equal(f->req.nparams, 4);
	assert_string_equal(http_param(&f->req, "p1"), "1");
	assert_string_equal(http_param(&f->req, "p4"), "4");
}

static void add_pattern(void *pattern);

static void
test_pattern_with_more_params_than_the_max_aborts_at_registration(void **state)
{
	(void)state;
	assert_true(dies_by_abort(add_pattern, "/v1/b/{p1}/{p2}/{p3}/{p4}/{p5}"));
}

static void
test_literal_route_listed_first_wins_over_param(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_GET, "/v1/things/new"), ST_OK);
	assert_ptr_equal(f->req.route, &f->rt.routes[2]);
	assert_int_equal(f->req.nparams, 0);
}

static void
test_same_pattern_split_over_entries_finds_the_method(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_DELETE, "/v1/things/42"), ST_OK);
	assert_ptr_equal(f->req.route, &f->rt.routes[4]);
	assert_string_equal(http_param(&f->req, "id"), "42");
}

static void
test_trailing_slash_does_not_match(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_GET, "/healthz/"), ST_NOTFOUND);
	assert_int_equal(match(f, HTTP_GET, "/v1/things/abc/"), ST_NOTFOUND);
}

static void
test_prefix_or_extension_does_not_match(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_GET, "/health"), ST_NOTFOUND);
	assert_int_equal(match(f, HTTP_GET, "/healthzz"), ST_NOTFOUND);
	assert_int_equal(match(f, HTTP_GET, "/v1"), ST_NOTFOUND);
	assert_int_equal(match(f, HTTP_GET, ""), ST_NOTFOUND);
	assert_int_equal(match(f, HTTP_GET, "/"), ST_NOTFOUND);
}

static void
test_matching_is_case_sensitive(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_GET, "/HEALTHZ"), ST_NOTFOUND);
}

static void
test_empty_param_segment_does_not_match(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_GET, "/v1/things/"), ST_NOTFOUND);
	assert_int_equal(match(f, HTTP_GET, "/v1/tenants//services/s2"), ST_NOTFOUND);
	assert_int_equal(match(f, HTTP_GET, "/v1/tenants/t1/services/"), ST_NOTFOUND);
}

static void
test_param_does_not_span_slashes(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_GET, "/v1/things/a/b"), ST_NOTFOUND);
}

static void
test_unknown_path_is_not_found_with_empty_allow(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_GET, "/nope"), ST_NOTFOUND);
	assert_int_equal(f->allow, 0);
	assert_null(f->req.route);
}

static void
test_wrong_method_is_method_not_allowed_with_allow_set(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_PUT, "/v1/things"), ST_METHOD);
	assert_int_equal(f->allow, HTTP_GET | HTTP_POST);
	assert_null(f->req.route);
}

static void
test_allow_set_is_the_union_over_entries_with_the_same_path(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_POST, "/v1/things/7"), ST_METHOD);
	assert_int_equal(f->allow, HTTP_GET | HTTP_PATCH | HTTP_DELETE);
}

static void
test_unparsed_method_on_known_path_is_method_not_allowed(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, http_method_parse("BREW", 4), "/healthz"), ST_METHOD);
	assert_int_equal(f->allow, HTTP_GET);
}

static void
test_head_matches_a_get_route(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_HEAD, "/v1/things/9"), ST_OK);
	assert_ptr_equal(f->req.route, &f->rt.routes[3]);
	assert_string_equal(http_param(&f->req, "id"), "9");
}

static void
test_head_on_a_route_without_get_is_not_allowed(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(match(f, HTTP_HEAD, "/v1/hooks/stripe"), ST_METHOD);
	assert_int_equal(f->allow, HTTP_POST);
}

static void
test_allow_string_adds_head_when_get_is_allowed(void **state)
{
	char out[64];

	router_allow_string(HTTP_GET, out, sizeof(out));
	assert_string_equal(out, "GET, HEAD");
	router_allow_string(HTTP_GET | HTTP_POST, out, sizeof(out));
	assert_string_equal(out, "GET, HEAD, POST");
}

static void
test_allow_string_without_get_has_no_head(void **state)
{
	char out[64];

	router_allow_string(HTTP_POST | HTTP_DELETE, out, sizeof(out));
	assert_string_equal(out, "POST, DELETE");
}

static void
test_allow_string_lists_every_method_in_order(void **state)
{
	char out[64];

	router_allow_string(HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT | HTTP_PATCH |
	    HTTP_DELETE | HTTP_OPTIONS, out, sizeof(out));
	assert_string_equal(out, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
}

static void
test_allow_string_of_nothing_is_empty(void **state)
{
	char out[8] = "garbage";

	router_allow_string(0, out, sizeof(out));
	assert_string_equal(out, "");
}

static void
test_allow_string_truncates_safely(void **state)
{
	char out[16];

	memset(out, 'Z', sizeof(out));
	router_allow_string(HTTP_GET | HTTP_POST | HTTP_DELETE, out, 8);
	assert_string_equal(out, "GET, HE");
	assert_int_equal(out[8], 'Z');	/* nothing written past outsz */
}

static void
test_method_parse_knows_every_method(void **state)
{
	static const struct { const char *s; enum http_method m; } cases[] = {
		{ "GET", HTTP_GET }, { "HEAD", HTTP_HEAD }, { "POST", HTTP_POST },
		{ "PUT", HTTP_PUT }, { "PATCH", HTTP_PATCH }, { "DELETE", HTTP_DELETE },
		{ "OPTIONS", HTTP_OPTIONS },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(http_method_parse(cases[i].s, strlen(cases[i].s)), cases[i].m);
}

static void
test_method_parse_rejects_unknown_and_lower_case(void **state)
{
	assert_int_equal(http_method_parse("get", 3), 0);
	assert_int_equal(http_method_parse("TRACE", 5), 0);
	assert_int_equal(http_method_parse("CONNECT", 7), 0);
	assert_int_equal(http_method_parse("", 0), 0);
}

static void
test_method_parse_uses_the_length_not_the_terminator(void **state)
{
	assert_int_equal(http_method_parse("GE", 2), 0);
	assert_int_equal(http_method_parse("GETX", 4), 0);
	assert_int_equal(http_method_parse("GETX", 3), HTTP_GET);
	assert_int_equal(http_method_parse("POST", 3), 0);
}

static void
add_pattern(void *pattern)
{
	struct router *rt = malloc(sizeof(*rt));
	struct route r = { HTTP_GET, pattern, handler_a, TENANCY_NONE, 0, NULL };

	router_init(rt);
	router_add(rt, &r);
}

static void
test_malformed_patterns_abort_at_registration(void **state)
{
	static const char *const bad[] = {
		"no-leading-slash", "/v1/{id", "/v1/{}", "/v1/x{id}", "/v1/{id}x",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!dies_by_abort(add_pattern, (void *)bad[i]))
			fail_msg("pattern %s was accepted", bad[i]);
}

static void
test_well_formed_pattern_does_not_abort(void **state)
{
	assert_false(dies_by_abort(add_pattern, "/v1/{a}/x/{b}"));
}

static void
add_routes(void *count)
{
	struct router *rt = malloc(sizeof(*rt));
	struct route r = { HTTP_GET, "/x", handler_a, TENANCY_NONE, 0, NULL };

	router_init(rt);
	for (size_t i = 0; i < *(size_t *)count; i++)
		router_add(rt, &r);
}

static void
test_router_holds_router_max_routes(void **state)
{
	size_t n = ROUTER_MAX_ROUTES;

	assert_false(dies_by_abort(add_routes, &n));
}

static void
test_one_route_past_router_max_routes_aborts(void **state)
{
	size_t n = ROUTER_MAX_ROUTES + 1;

	assert_true(dies_by_abort(add_routes, &n));
}

static void
add_null_handler(void *arg)
{
	struct router *rt = malloc(sizeof(*rt));
	struct route r = { HTTP_GET, "/x", NULL, TENANCY_NONE, 0, NULL };

	router_init(rt);
	router_add(rt, &r);
}

static void
test_route_without_handler_aborts(void **state)
{
	assert_true(dies_by_abort(add_null_handler, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_exact_path_matches),
		T(test_route_name_defaults_to_pattern),
		T(test_router_index_gives_the_table_position),
		T(test_one_param_is_extracted),
		T(test_two_params_are_extracted),
		T(test_params_outlive_the_path_buffer),
		T(test_route_params_max_params_are_extracted),
		T(test_pattern_with_more_params_than_the_max_aborts_at_registration),
		T(test_literal_route_listed_first_wins_over_param),
		T(test_same_pattern_split_over_entries_finds_the_method),
		T(test_trailing_slash_does_not_match),
		T(test_prefix_or_extension_does_not_match),
		T(test_matching_is_case_sensitive),
		T(test_empty_param_segment_does_not_match),
		T(test_param_does_not_span_slashes),
		T(test_unknown_path_is_not_found_with_empty_allow),
		T(test_wrong_method_is_method_not_allowed_with_allow_set),
		T(test_allow_set_is_the_union_over_entries_with_the_same_path),
		T(test_unparsed_method_on_known_path_is_method_not_allowed),
		T(test_head_matches_a_get_route),
		T(test_head_on_a_route_without_get_is_not_allowed),
		T(test_allow_string_adds_head_when_get_is_allowed),
		T(test_allow_string_without_get_has_no_head),
		T(test_allow_string_lists_every_method_in_order),
		T(test_allow_string_of_nothing_is_empty),
		T(test_allow_string_truncates_safely),
		T(test_method_parse_knows_every_method),
		T(test_method_parse_rejects_unknown_and_lower_case),
		T(test_method_parse_uses_the_length_not_the_terminator),
		T(test_malformed_patterns_abort_at_registration),
		T(test_well_formed_pattern_does_not_abort),
		T(test_router_holds_router_max_routes),
		T(test_one_route_past_router_max_routes_aborts),
		T(test_route_without_handler_aborts),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
