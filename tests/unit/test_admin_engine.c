/* test_admin_engine.c — the pure parts of the admin resource engine:
 * opaque cursors, query strings (limit, sort, typed filters, ranges),
 * request bodies checked against a descriptor, If-Match, weekly
 * intervals, format checks, audit diffs, and the SQL a descriptor turns
 * into (identifiers only from the descriptor, values only as $n). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../src/modules/admin/admin_routes.c"

/* A descriptor exercising every kind of field. */
static const char *const colours[] = { "red", "green", NULL };

static const char *
upper(struct arena *a, const char *in, const char *field, struct err *e)
{
	char *s = arena_strdup(a, in);

	if (strcmp(in, "bad") == 0) {
		err_detail(e, field, "cannot be normalised");
		return NULL;
	}
	for (char *p = s; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return s;
}

static const struct admin_field widget_fields[] = {
	ADMIN_F_TEXT("name", 1, 20, AF_REQUIRED | AF_FILTER | AF_SORT),
	ADMIN_F_TEXT("note", 0, 10, AF_NULLABLE),
	ADMIN_F_INT("size", 1, 10, AF_FILTER | AF_SORT),
	ADMIN_F_BOOL("active", AF_FILTER),
	ADMIN_F_ENUM("colour", colours, AF_FILTER),
	ADMIN_F_FORMAT("day", 10, ADM_DATE, admin_check_date, "a date", AF_FILTER | AF_SORT),
	ADMIN_F_TEXTS("tags", 3, 5, AF_FILTER),
	{ .v = { .name = "code", .type = JV_STRING, .min = 1, .max = 10 }, .type = ADM_TEXT,
	  .flags = AF_CREATE_ONLY, .normalise = upper },
	{ .v = { .name = "password", .type = JV_STRING, .min = 1, .max = 50 }, .type = ADM_TEXT,
	  .flags = AF_SECRET },
	ADMIN_F_READONLY("token", ADM_TEXT, AF_NOAUDIT),
	ADMIN_F_READONLY("state", ADM_TEXT, AF_FILTER),
};

static const struct admin_parent widget_parent = { "shop_id", "shop_id", "shops", true, "shop" };

static const struct admin_resource widgets = {
	.name = "widget", .title = "widget", .path = "/v1/admin/shops/{shop_id}/widgets",
	.table = "widgets", .fields = widget_fields, .nfields = ADMIN_NFIELDS(widget_fields),
	.flags = ADMIN_SOFT_DELETE, .parent = &widget_parent, .default_sort = "name",
	.tiebreak = "size", .range_field = "day", .unique_field = "name",
};

static const struct admin_field single_fields[] = {
	ADMIN_F_TEXT("motto", 0, 50, AF_NULLABLE),
};

static const struct admin_resource single = {
	.name = "settings", .path = "/v1/admin/settings", .table = "settings",
	.fields = single_fields, .nfields = ADMIN_NFIELDS(single_fields),
	.flags = ADMIN_SINGLETON,
};

/* A request with an arena, a query string and headers. */
struct fixture {
	struct arena a;
	struct request r;
	struct http_header h[4];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	arena_init(&f->a, 4096);
	f->r.arena = &f->a;
	f->r.headers = f->h;
	err_clear(&f->r.err);
	f->r.ctx.arena = &f->a;
	f->r.ctx.err = &f->r.err;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	arena_free(&f->a);
	free(f);
	return 0;
}

static bool
has(const struct err *e, const char *field, const char *issue_part)
{
	for (size_t i = 0; i < e->ndetails; i++)
		if (strcmp(e->details[i].field, field) == 0 &&
		    (issue_part == NULL || strstr(e->details[i].issue, issue_part) != NULL))
			return true;
	return false;
}

static enum status
list_query(struct fixture *f, const char *query, struct admin_list_q *q)
{
	err_clear(&f->r.err);
	f->r.query = query;
	return parse_list_query(&widgets, &f->r, q);
}

/* ---- cursors ------------------------------------------------------------ */

/* A list cursor as admin_list makes it: spec, values (one or two), id. */
static char *
list_enc(struct arena *a, const char *spec, const char *v0, const char *v1,
    const char *id)
{
	struct admin_field tb = { .v = { .name = "tiebreak" } };
	struct admin_list_q q = { .sort_spec = spec, .tiebreak = v1 ? &tb : NULL };
	struct admin_page p = { .last_vals = { v0, v1 }, .last_id = id };

	return list_cursor_encode(a, &q, &p);
}

static bool
list_dec(struct arena *a, const char *s, const char **spec, const char *vals[2],
    size_t *n, const char **id)
{
	for (*n = 2; *n >= 1; (*n)--)
		if (list_cursor_decode(a, s, *n, spec, vals, id))
			return true;
	return false;
}

static void
test_cursor_round_trips(void **state)
{
	struct fixture *f = *state;
	const char *spec, *vals[2], *id;
	size_t n;
	char *c = list_enc(&f->a, "-name", "O'Brien \"x\" & é", "7",
	    "0b4e8f9c-3c71-4b7e-9c55-1f2d3a4b5c6d");

	assert_non_null(c);
	/* URL-safe without escaping: no '+', '/', '=' or '&'. */
	assert_null(strpbrk(c, "+/=&?#%"));
	assert_true(list_dec(&f->a, c, &spec, vals, &n, &id));
	assert_string_equal(spec, "-name");
	assert_int_equal(n, 2);
	assert_string_equal(vals[0], "O'Brien \"x\" & é");
	assert_string_equal(vals[1], "7");
	assert_string_equal(id, "0b4e8f9c-3c71-4b7e-9c55-1f2d3a4b5c6d");
}

static void
test_cursor_without_tiebreak_has_one_value(void **state)
{
	struct fixture *f = *state;
	const char *spec, *vals[2], *id;
	size_t n;
	char *c = list_enc(&f->a, "created_at", "2030-01-01 10:00:00+00", NULL,
	    "0b4e8f9c-3c71-4b7e-9c55-1f2d3a4b5c6d");

	assert_true(list_dec(&f->a, c, &spec, vals, &n, &id));
	assert_int_equal(n, 1);
	assert_string_equal(vals[0], "2030-01-01 10:00:00+00");
}

static void
test_cursor_rejects_what_it_did_not_make(void **state)
{
	struct fixture *f = *state;
	const char *spec, *vals[2], *id;
	size_t n;
	char big[CURSOR_TEXT_MAX + 2];
	const char *bad[] = {
		"", "!!!", "eyJzIjoibmFtZSJ9",	/* {"s":"name"} */
		"WyJuYW1lIl0",		/* ["name"] */
		"WyJuYW1lIiwiYSIsIm5vdC1hLXV1aWQiXQ",	/* ["name","a","not-a-uuid"] */
		/* ["name",1,"0b4e8f9c-3c71-4b7e-9c55-1f2d3a4b5c6d"] */
		"WyJuYW1lIiwxLCIwYjRlOGY5Yy0zYzcxLTRiN2UtOWM1NS0xZjJkM2E0YjVjNmQiXQ",
		/* ["name","a\u0000b","0b4e8f9c-3c71-4b7e-9c55-1f2d3a4b5c6d"] */
		"WyJuYW1lIiwiYVx1MDAwMGIiLCIwYjRlOGY5Yy0zYzcxLTRiN2UtOWM1NS0xZjJkM2E0YjVjNmQiXQ",
		"W10",	/* [] */
		"WyJuYW1lIiwiYSIsIjBiNGU4ZjljLTNjNzEtNGI3ZS05YzU1LTFmMmQzYTRiNWM2ZCJd=",	/* padded */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(list_dec(&f->a, bad[i], &spec, vals, &n, &id));
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(list_dec(&f->a, big, &spec, vals, &n, &id));
}

/* The shared codec (core/cursor.h) the list cursors are made with. */
static void
test_core_cursor_is_strict(void **state)
{
	struct fixture *f = *state;
	const char *v[3], *big_vals[1];
	char *c = cursor_encode(&f->a, (const char *[]){ "1773000000", "a|b" }, 2), *big;

	assert_non_null(c);
	assert_true(cursor_decode(&f->a, c, v, 2));
	assert_string_equal(v[0], "1773000000");
	assert_string_equal(v[1], "a|b");
	assert_false(cursor_decode(&f->a, c, v, 1));	/* another count */
	assert_false(cursor_decode(&f->a, c, v, 3));
	assert_false(cursor_decode(&f->a, NULL, v, 1));
	assert_null(cursor_encode(&f->a, v, 0));
	big = arena_alloc(&f->a, CURSOR_TEXT_MAX + 1);
	memset(big, 'x', CURSOR_TEXT_MAX);
	big[CURSOR_TEXT_MAX] = '\0';
	big_vals[0] = big;
	assert_null(cursor_encode(&f->a, big_vals, 1));	/* would not fit */
}

/* The HTTP layer's one query-string splitter. */
static void
test_http_query_split(void **state)
{
	struct fixture *f = *state;
	struct http_qparam qp[3];
	size_t n;

	assert_int_equal(http_query_split(&f->a, "a=1&a=%2Bx+y&flag&&", qp, 3, &n),
	    HTTP_QUERY_OK);
	assert_int_equal(n, 3);
	assert_string_equal(qp[1].value, "+x y");
	assert_string_equal(qp[2].name, "flag");
	assert_string_equal(qp[2].value, "");
	assert_int_equal(http_query_split(&f->a, NULL, qp, 3, &n), HTTP_QUERY_OK);
	assert_int_equal(n, 0);
	assert_int_equal(http_query_split(&f->a, "a=1&b=2&c=3&d=4", qp, 3, &n),
	    HTTP_QUERY_TOO_MANY);
	assert_int_equal(http_query_split(&f->a, "a=%zz", qp, 3, &n), HTTP_QUERY_MALFORMED);
	assert_int_equal(http_query_split(&f->a, "a=%00", qp, 3, &n), HTTP_QUERY_MALFORMED);
	assert_int_equal(http_query_split(&f->a, "a=%C3", qp, 3, &n), HTTP_QUERY_MALFORMED);
	assert_int_equal(http_query_split(&f->a, "a=%C3%A9", qp, 3, &n), HTTP_QUERY_OK);
}

/* ---- query strings -------------------------------------------------------- */

static void
test_list_defaults(void **state)
{
	struct fixture *f = *state;
	struct admin_list_q q;

	assert_int_equal(list_query(f, NULL, &q), ST_OK);
	assert_int_equal(q.limit, 50);
	assert_string_equal(q.sort->v.name, "name");
	assert_false(q.desc);
	assert_string_equal(q.tiebreak->v.name, "size");
	assert_int_equal(q.nfilters, 0);
	assert_false(q.include_deleted);
	assert_false(q.has_cursor);
}

static void
test_list_sort_descending_and_builtin_columns(void **state)
{
	struct fixture *f = *state;
	struct admin_list_q q;

	assert_int_equal(list_query(f, "sort=-size", &q), ST_OK);
	assert_string_equal(q.sort->v.name, "size");
	assert_true(q.desc);
	assert_null(q.tiebreak);	/* the sort field is the tiebreak itself */
	assert_int_equal(list_query(f, "sort=-created_at", &q), ST_OK);
	assert_string_equal(q.sort->v.name, "created_at");
	assert_int_equal(list_query(f, "sort=updated_at", &q), ST_OK);
}

static void
test_list_sort_only_over_sortable_fields(void **state)
{
	struct fixture *f = *state;
	struct admin_list_q q;
	const char *bad[] = { "sort=note", "sort=password", "sort=nope", "sort=", "sort=--name",
		"sort=tags" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(list_query(f, bad[i], &q), ST_INVALID);
		assert_true(has(&f->r.err, "sort", NULL));
	}
}

static void
test_list_limit_bounds(void **state)
{
	struct fixture *f = *state;
	struct admin_list_q q;
	const char *bad[] = { "limit=0", "limit=101", "limit=-1", "limit=abc", "limit=",
		"limit=1e2", "limit=0050" };

	assert_int_equal(list_query(f, "limit=1", &q), ST_OK);
	assert_int_equal(q.limit, 1);
	assert_int_equal(list_query(f, "limit=100", &q), ST_OK);
	assert_int_equal(q.limit, 100);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(list_query(f, bad[i], &q), ST_INVALID);
		assert_true(has(&f->r.err, "limit", NULL));
	}
}

static void
test_list_typed_filters(void **state)
{
	struct fixture *f = *state;
	struct admin_list_q q;

	assert_int_equal(list_query(f, "size=3&active=true&colour=red&day=2030-02-28"
	    "&name=A%20b+c&tags=x&state=on", &q), ST_OK);
	assert_int_equal(q.nfilters, 7);
	assert_string_equal(q.filters[0].f->v.name, "size");
	assert_string_equal(q.filters[0].value, "3");
	assert_string_equal(q.filters[4].f->v.name, "name");
	assert_string_equal(q.filters[4].value, "A b c");	/* decoded */
}

static void
test_list_filter_values_are_checked_by_type(void **state)
{
	struct fixture *f = *state;
	struct admin_list_q q;
	struct { const char *query, *field; } bad[] = {
		{ "size=three", "size" }, { "size=99999999999", "size" },
		{ "active=yes", "active" }, { "colour=blue", "colour" },
		{ "day=2030-02-30", "day" }, { "name=", "name" },
		{ "name=%01", "name" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(list_query(f, bad[i].query, &q), ST_INVALID);
		assert_true(has(&f->r.err, bad[i].field, NULL));
	}
}

static void
test_list_refuses_unknown_and_repeated_parameters(void **state)
{
	struct fixture *f = *state;
	struct admin_list_q q;

	assert_int_equal(list_query(f, "note=x", &q), ST_INVALID);	/* not filterable */
	assert_true(has(&f->r.err, "note", "not a query parameter"));
	assert_int_equal(list_query(f, "password=x", &q), ST_INVALID);
	assert_int_equal(list_query(f, "evil'--=1", &q), ST_INVALID);
	assert_true(has(&f->r.err, "evil'--", NULL));
	assert_int_equal(list_query(f, "size=1&size=2", &q), ST_INVALID);
	assert_true(has(&f->r.err, "size", "more than once"));
	assert_int_equal(list_query(f, "name=%zz", &q), ST_INVALID);
	assert_true(has(&f->r.err, "query", NULL));
	assert_int_equal(list_query(f, "name=%", &q), ST_INVALID);
	assert_int_equal(list_query(f, "name=%00", &q), ST_INVALID);
	assert_int_equal(list_query(f, "name=%ff", &q), ST_INVALID);	/* not UTF-8 */
}

static void
test_list_deleted_and_ranges(void **state)
{
	struct fixture *f = *state;
	struct admin_list_q q;

	assert_int_equal(list_query(f, "include_deleted=true&from=2030-01-01&to=2030-02-01", &q),
	    ST_OK);
	assert_true(q.include_deleted);
	assert_string_equal(q.from, "2030-01-01");
	assert_string_equal(q.to, "2030-02-01");
	assert_int_equal(list_query(f, "include_deleted=1", &q), ST_INVALID);
	assert_int_equal(list_query(f, "from=yesterday", &q), ST_INVALID);
	assert_true(has(&f->r.err, "from", "date"));
	/* A singleton has no range and no soft delete: both are unknown. */
	f->r.query = "include_deleted=true&from=2030-01-01";
	err_clear(&f->r.err);
	assert_int_equal(parse_list_query(&single, &f->r, &q), ST_INVALID);
	assert_true(has(&f->r.err, "include_deleted", NULL));
	assert_true(has(&f->r.err, "from", NULL));
}

static void
test_list_cursor_must_match_the_sort(void **state)
{
	struct fixture *f = *state;
	struct admin_list_q q;
	const char *id = "0b4e8f9c-3c71-4b7e-9c55-1f2d3a4b5c6d";
	char *by_name = list_enc(&f->a, "name", "b", "3", id);
	char *by_size = list_enc(&f->a, "-size", "3", NULL, id);
	char *short_one = list_enc(&f->a, "name", "b", NULL, id);

	assert_int_equal(list_query(f, arena_printf(&f->a, "cursor=%s", by_name), &q), ST_OK);
	assert_true(q.has_cursor);
	assert_string_equal(q.cursor_vals[0], "b");
	assert_string_equal(q.cursor_vals[1], "3");
	assert_string_equal(q.cursor_id, id);
	assert_int_equal(list_query(f, arena_printf(&f->a, "sort=-size&cursor=%s", by_size), &q),
	    ST_OK);
	assert_int_equal(list_query(f, arena_printf(&f->a, "cursor=%s", by_size), &q), ST_INVALID);
	assert_true(has(&f->r.err, "cursor", "another sort"));
	assert_int_equal(list_query(f, arena_printf(&f->a, "cursor=%s", short_one), &q),
	    ST_INVALID);
	assert_int_equal(list_query(f, "cursor=garbage", &q), ST_INVALID);
	assert_true(has(&f->r.err, "cursor", NULL));
}

/* ---- bodies ----------------------------------------------------------------- */

static enum status
input(struct fixture *f, const char *body, bool create, json_t **out)
{
	json_error_t je;
	json_t *j = json_loads(body, 0, &je);
	enum status st;

	assert_non_null(j);
	arena_defer(&f->a, (void (*)(void *))json_decref, j);
	err_clear(&f->r.err);
	st = admin_input_parse(&f->r.ctx, &widgets, j, create, out);
	return st;
}

static void
test_input_accepts_and_normalises(void **state)
{
	struct fixture *f = *state;
	json_t *in;

	assert_int_equal(input(f, "{\"name\":\"A\",\"note\":null,\"size\":3,\"active\":false,"
	    "\"colour\":\"red\",\"day\":\"2024-02-29\",\"tags\":[\"a\",\"bb\"],\"code\":\"xy\","
	    "\"password\":\"s3cret\"}", true, &in), ST_OK);
	assert_string_equal(json_string_value(json_object_get(in, "code")), "XY");
	assert_true(json_is_null(json_object_get(in, "note")));
	assert_int_equal(json_object_size(in), 9);
}

static void
test_input_requires_required_fields_on_create_only(void **state)
{
	struct fixture *f = *state;
	json_t *in;

	assert_int_equal(input(f, "{\"size\":3}", true, &in), ST_INVALID);
	assert_true(has(&f->r.err, "name", "required"));
	assert_int_equal(input(f, "{\"size\":3}", false, &in), ST_OK);
	assert_int_equal(input(f, "{}", false, &in), ST_OK);
}

static void
test_input_names_every_bad_field(void **state)
{
	struct fixture *f = *state;
	json_t *in;

	assert_int_equal(input(f, "{\"name\":\"\",\"note\":\"12345678901\",\"size\":11,"
	    "\"active\":\"yes\",\"colour\":\"blue\",\"day\":\"2023-02-29\",\"bogus\":1,"
	    "\"id\":\"x\",\"version\":2,\"token\":\"t\",\"shop_id\":\"s\",\"created_at\":\"x\"}",
	    true, &in), ST_INVALID);
	assert_true(has(&f->r.err, "name", "empty"));
	assert_true(has(&f->r.err, "note", "at most 10"));
	assert_true(has(&f->r.err, "size", "between 1 and 10"));
	assert_true(has(&f->r.err, "active", "boolean"));
	assert_true(has(&f->r.err, "colour", "allowed"));
	assert_true(has(&f->r.err, "day", "date"));
	assert_true(has(&f->r.err, "bogus", "not a known field"));
	assert_true(has(&f->r.err, "id", "read-only"));
	assert_true(has(&f->r.err, "version", "read-only"));
	assert_true(has(&f->r.err, "token", "read-only"));
	assert_true(has(&f->r.err, "shop_id", "read-only"));
	assert_true(has(&f->r.err, "created_at", "read-only"));
}

static void
test_input_nulls_only_where_allowed(void **state)
{
	struct fixture *f = *state;
	json_t *in;

	assert_int_equal(input(f, "{\"note\":null}", false, &in), ST_OK);
	assert_int_equal(input(f, "{\"size\":null}", false, &in), ST_INVALID);
	assert_true(has(&f->r.err, "size", "null"));
}

static void
test_input_create_only_fields_are_fixed(void **state)
{
	struct fixture *f = *state;
	json_t *in;

	assert_int_equal(input(f, "{\"code\":\"ab\"}", false, &in), ST_INVALID);
	assert_true(has(&f->r.err, "code", "cannot be changed"));
	assert_int_equal(input(f, "{\"code\":\"bad\",\"name\":\"x\"}", true, &in), ST_INVALID);
	assert_true(has(&f->r.err, "code", "normalised"));
}

static void
test_input_array_items(void **state)
{
	struct fixture *f = *state;
	json_t *in;

	assert_int_equal(input(f, "{\"tags\":[\"a\",\"b\",\"c\",\"d\"]}", false, &in), ST_INVALID);
	assert_true(has(&f->r.err, "tags", "between 0 and 3"));
	assert_int_equal(input(f, "{\"tags\":[\"toolong\"]}", false, &in), ST_INVALID);
	assert_true(has(&f->r.err, "tags", "1 to 5"));
	assert_int_equal(input(f, "{\"tags\":[\"\"]}", false, &in), ST_INVALID);
	assert_int_equal(input(f, "{\"tags\":[1]}", false, &in), ST_INVALID);
	assert_true(has(&f->r.err, "tags", "strings"));
	assert_int_equal(input(f, "{\"tags\":[\"a\",\"a\"]}", false, &in), ST_INVALID);
	assert_true(has(&f->r.err, "tags", "repeat"));
	assert_int_equal(input(f, "{\"tags\":[\"a\\u0001\"]}", false, &in), ST_INVALID);
	assert_int_equal(input(f, "{\"tags\":[]}", false, &in), ST_OK);
}

/* ---- If-Match ------------------------------------------------------------------ */

static enum status
if_match(struct fixture *f, const char *header, const char *body, bool *have, long long *v)
{
	json_error_t je;
	json_t *j = body ? json_loads(body, 0, &je) : NULL;
	enum status st;

	if (j != NULL)
		arena_defer(&f->a, (void (*)(void *))json_decref, j);
	f->r.nheaders = 0;
	if (header != NULL) {
		f->h[0] = (struct http_header){ "if-match", header, strlen(header) };
		f->r.nheaders = 1;
	}
	err_clear(&f->r.err);
	st = admin_if_match(&f->r, j, have, v);
	if (j != NULL && st == ST_OK)
		assert_null(json_object_get(j, "version"));	/* consumed */
	return st;
}

static void
test_if_match_forms(void **state)
{
	struct fixture *f = *state;
	long long v = 0;
	bool have;
	const char *ok[] = { "\"3\"", "3", "W/\"3\"" };
	const char *bad[] = { "*", "\"\"", "\"x\"", "\"1234567890\"", "-3", "\"3" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(if_match(f, ok[i], NULL, &have, &v), ST_OK);
		assert_true(have);
		assert_int_equal(v, 3);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(if_match(f, bad[i], NULL, &have, &v), ST_INVALID);
		assert_true(has(&f->r.err, "If-Match", NULL));
	}
	assert_int_equal(if_match(f, NULL, NULL, &have, &v), ST_OK);
	assert_false(have);
}

static void
test_if_match_from_the_body(void **state)
{
	struct fixture *f = *state;
	long long v = 0;
	bool have;

	assert_int_equal(if_match(f, NULL, "{\"version\":7,\"name\":\"x\"}", &have, &v), ST_OK);
	assert_true(have);
	assert_int_equal(v, 7);
	assert_int_equal(if_match(f, "\"7\"", "{\"version\":7}", &have, &v), ST_OK);
	assert_int_equal(if_match(f, "\"6\"", "{\"version\":7}", &have, &v), ST_INVALID);
	assert_int_equal(if_match(f, NULL, "{\"version\":\"7\"}", &have, &v), ST_INVALID);
	assert_true(has(&f->r.err, "version", NULL));
	assert_int_equal(if_match(f, NULL, "{\"version\":0}", &have, &v), ST_INVALID);
}

/* ---- intervals ----------------------------------------------------------------- */

static enum status
intervals(struct fixture *f, const char *body, struct admin_interval **iv, size_t *n)
{
	json_error_t je;
	json_t *j = json_loads(body, 0, &je);

	assert_non_null(j);
	arena_defer(&f->a, (void (*)(void *))json_decref, j);
	err_clear(&f->r.err);
	return admin_parse_intervals(&f->r, j, "intervals", "opens", "closes", 5, iv, n);
}

static void
test_intervals_sorted_and_touching_allowed(void **state)
{
	struct fixture *f = *state;
	struct admin_interval *iv;
	size_t n;

	assert_int_equal(intervals(f, "{\"intervals\":["
	    "{\"weekday\":2,\"opens\":\"13:00\",\"closes\":\"24:00\"},"
	    "{\"weekday\":1,\"opens\":\"09:00\",\"closes\":\"12:00\"},"
	    "{\"weekday\":2,\"opens\":\"09:00\",\"closes\":\"13:00\"}]}", &iv, &n), ST_OK);
	assert_int_equal(n, 3);
	assert_int_equal(iv[0].weekday, 1);
	assert_string_equal(iv[1].start, "09:00");
	assert_string_equal(iv[2].end, "24:00");
	assert_int_equal(iv[2].index, 0);
}

static void
test_intervals_overlap_named(void **state)
{
	struct fixture *f = *state;
	struct admin_interval *iv;
	size_t n;

	assert_int_equal(intervals(f, "{\"intervals\":["
	    "{\"weekday\":3,\"opens\":\"09:00\",\"closes\":\"12:00\"},"
	    "{\"weekday\":4,\"opens\":\"09:00\",\"closes\":\"12:00\"},"
	    "{\"weekday\":3,\"opens\":\"11:59\",\"closes\":\"13:00\"}]}", &iv, &n), ST_INVALID);
	assert_true(has(&f->r.err, "intervals[2]", "overlaps intervals[0]"));
	assert_int_equal(f->r.err.ndetails, 1);
}

static void
test_intervals_bad_items_named(void **state)
{
	struct fixture *f = *state;
	struct admin_interval *iv;
	size_t n;

	assert_int_equal(intervals(f, "{\"intervals\":["
	    "{\"weekday\":8,\"opens\":\"09:00\",\"closes\":\"12:00\"},"
	    "{\"weekday\":1,\"opens\":\"9:00\",\"closes\":\"24:01\"},"
	    "{\"weekday\":1,\"opens\":\"12:00\",\"closes\":\"12:00\",\"x\":1},"
	    "7]}", &iv, &n), ST_INVALID);
	assert_true(has(&f->r.err, "intervals[0].weekday", NULL));
	assert_true(has(&f->r.err, "intervals[1].opens", "HH:MM"));
	assert_true(has(&f->r.err, "intervals[1].closes", NULL));
	assert_true(has(&f->r.err, "intervals[2].x", "not a known field"));
	assert_true(has(&f->r.err, "intervals[3]", "object"));
	assert_int_equal(intervals(f, "{\"intervals\":["
	    "{\"weekday\":1,\"opens\":\"12:00\",\"closes\":\"11:00\"}]}", &iv, &n), ST_INVALID);
	assert_true(has(&f->r.err, "intervals[0].closes", "after opens"));
	assert_int_equal(intervals(f, "{\"intervals\":[{},{},{},{},{},{}]}", &iv, &n), ST_INVALID);
	assert_true(has(&f->r.err, "intervals", "at most 5"));
	assert_int_equal(intervals(f, "{}", &iv, &n), ST_INVALID);
	assert_true(has(&f->r.err, "intervals", "required"));
	assert_int_equal(intervals(f, "{\"intervals\":[]}", &iv, &n), ST_OK);
	assert_int_equal(n, 0);
}

/* ---- format checks -------------------------------------------------------------- */

static void
test_format_checks(void **state)
{
	assert_true(admin_check_hex_color("#A1b2C3"));
	assert_false(admin_check_hex_color("#12345"));
	assert_false(admin_check_hex_color("123456"));
	assert_false(admin_check_hex_color("#GGGGGG"));
	assert_true(admin_check_https_url("https://cdn.example.com/logo.png?v=2"));
	assert_true(admin_check_https_url("https://example.com:8443"));
	assert_false(admin_check_https_url("http://example.com/logo.png"));
	assert_false(admin_check_https_url("https://"));
	assert_false(admin_check_https_url("https://exa mple.com"));
	assert_false(admin_check_https_url("javascript:alert(1)"));
	assert_false(admin_check_https_url("https://user@evil.com"));
	assert_true(admin_check_http_url("http://example.com"));
	assert_true(admin_check_currency("USD"));
	assert_true(admin_check_currency("ZWL"));	/* the last code: no overrun */
	assert_true(admin_check_currency("AED"));
	assert_false(admin_check_currency("usd"));
	assert_false(admin_check_currency("XYZ"));
	assert_false(admin_check_currency("US"));
	assert_false(admin_check_currency("DEM"));	/* long gone */
	assert_true(admin_check_time("00:00"));
	assert_true(admin_check_time("24:00"));
	assert_false(admin_check_time("24:01"));
	assert_false(admin_check_time("12:60"));
	assert_false(admin_check_time("9:00"));
	assert_true(admin_check_date("2024-02-29"));
	assert_false(admin_check_date("2023-02-29"));
	assert_false(admin_check_date("1900-02-29"));
	assert_true(admin_check_date("2000-02-29"));
	assert_false(admin_check_date("2030-13-01"));
	assert_false(admin_check_date("2030-1-01"));
	assert_true(admin_check_country("GB"));
	assert_false(admin_check_country("gb"));
	assert_false(admin_check_country("GBR"));
}

static void
test_rfc3339(void **state)
{
	long long s;

	assert_true(admin_check_rfc3339("2030-01-02T03:04:05Z"));
	assert_true(admin_check_rfc3339("2030-01-02T03:04:05.123456+05:45"));
	assert_true(admin_check_rfc3339("2030-01-02T03:04-08:00"));
	assert_false(admin_check_rfc3339("2030-01-02T03:04:05"));	/* no offset */
	assert_false(admin_check_rfc3339("2030-01-02 03:04:05Z"));
	assert_false(admin_check_rfc3339("2030-02-30T03:04:05Z"));
	assert_false(admin_check_rfc3339("2030-01-02T24:00:00Z"));
	assert_true(admin_check_rfc3339("2030-01-02T03:04:05.123456789Z"));
	assert_false(admin_check_rfc3339("2030-01-02T03:04:05.1234567890Z"));
	assert_false(admin_check_rfc3339("2030-01-02T03:04:05+5:00"));
	assert_true(admin_rfc3339_seconds("1970-01-01T00:00:00Z", &s));
	assert_int_equal(s, 0);
	assert_true(admin_rfc3339_seconds("2000-03-01T00:00:00+01:00", &s));
	assert_int_equal(s, 951865200);
	assert_true(admin_rfc3339_seconds("2030-01-02T03:04:05.9-02:30", &s));
	assert_int_equal(s, 1893553445 + 9000);
}

/* ---- audit diffs ------------------------------------------------------------------- */

static void
test_diff_names_changed_fields_without_secrets(void **state)
{
	json_error_t je;
	json_t *before = json_loads("{\"id\":\"1\",\"name\":\"A\",\"size\":1,\"password\":\"p1\","
	    "\"token\":\"t1\",\"note\":null,\"version\":1,\"deleted_at\":null}", 0, &je);
	json_t *after = json_loads("{\"id\":\"1\",\"name\":\"B\",\"size\":1,\"password\":\"p2\","
	    "\"token\":\"t2\",\"note\":\"n\",\"version\":2,\"deleted_at\":\"2030-01-01T00:00:00Z\"}",
	    0, &je);
	json_t *d = admin_diff(&widgets, before, after), *created;

	assert_non_null(d);
	assert_int_equal(json_object_size(d), 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(d, "name"), "from")),
	    "A");
	assert_string_equal(json_string_value(json_object_get(json_object_get(d, "name"), "to")),
	    "B");
	assert_true(json_is_null(json_object_get(json_object_get(d, "note"), "from")));
	assert_non_null(json_object_get(d, "deleted_at"));
	assert_null(json_object_get(d, "password"));	/* secret */
	assert_null(json_object_get(d, "token"));	/* kept out of audit */
	assert_null(json_object_get(d, "version"));
	created = admin_diff(&widgets, NULL, after);
	assert_null(json_object_get(created, "password"));
	assert_non_null(json_object_get(created, "size"));
	assert_null(admin_diff(&widgets, before, before));
	json_decref(d);
	json_decref(created);
	json_decref(before);
	json_decref(after);
}

/* ---- the SQL a descriptor produces --------------------------------------------------- */

static void
test_sql_row_json_renders_no_secret(void **state)
{
	struct fixture *f = *state;
	char *sql = admin_sql_row_json(&f->a, &widgets);

	assert_null(strstr(sql, "password"));
	assert_non_null(strstr(sql, "'shop_id', t.shop_id"));
	assert_non_null(strstr(sql, "'day', t.day"));
	assert_non_null(strstr(sql, "'deleted_at', to_char(t.deleted_at AT TIME ZONE 'UTC'"));
	assert_non_null(strstr(sql, "'version', t.version"));
	assert_null(strstr(admin_sql_row_json(&f->a, &single), "'id'"));
}

static void
test_sql_list_binds_every_value(void **state)
{
	struct fixture *f = *state;
	struct admin_params p = { .n = 0 };
	struct admin_list_q q;
	const char *evil = "x'); DROP TABLE widgets; --";
	char *query = arena_printf(&f->a, "name=%s&size=3&tags=t&from=2030-01-01&sort=-name",
	    "x%27%29%3B%20DROP%20TABLE%20widgets%3B%20--");
	char *sql;

	assert_int_equal(list_query(f, query, &q), ST_OK);
	q.has_cursor = true;
	q.cursor_vals[0] = "b";
	q.cursor_vals[1] = "2";
	q.cursor_id = "0b4e8f9c-3c71-4b7e-9c55-1f2d3a4b5c6d";
	sql = admin_sql_list(&f->a, &widgets, &q, "11111111-1111-4111-8111-111111111111", &p);
	assert_null(strstr(sql, "DROP"));
	assert_null(strstr(sql, "'x"));
	assert_int_equal(p.n, 8);
	assert_string_equal(p.v[0], "11111111-1111-4111-8111-111111111111");
	assert_string_equal(p.v[1], evil);
	assert_non_null(strstr(sql, " FROM widgets t WHERE true AND t.shop_id = $1::uuid"
	    " AND t.deleted_at IS NULL AND t.name = $2::text AND t.size = $3::int"
	    " AND $4::text = ANY (t.tags) AND t.day >= $5::date"
	    " AND (t.name, t.size, t.id) < ($6::text, $7::int, $8::uuid)"
	    " ORDER BY t.name DESC, t.size DESC, t.id DESC LIMIT 51"));
}

static void
test_sql_writes(void **state)
{
	struct fixture *f = *state;
	struct admin_params p = { .n = 0 };
	json_error_t je;
	json_t *in = json_loads("{\"tags\":[\"a\"],\"name\":\"N\",\"active\":true,\"note\":null}",
	    0, &je);
	char *sql = admin_sql_insert(&f->a, &widgets, in, "11111111-1111-4111-8111-111111111111",
	    &p);

	assert_non_null(strstr(sql, "INSERT INTO widgets AS t (tenant_id, shop_id, name, note,"
	    " active, tags) VALUES (app_tenant(), $1::uuid, $2::text, $3::text, $4::boolean,"
	    " ARRAY(SELECT jsonb_array_elements_text($5::jsonb))) RETURNING json_build_object("));
	assert_int_equal(p.n, 5);
	assert_string_equal(p.v[1], "N");
	assert_null(p.v[2]);
	assert_string_equal(p.v[3], "true");
	assert_string_equal(p.v[4], "[\"a\"]");
	p.n = 0;
	sql = admin_sql_update(&f->a, &widgets, in, "22222222-2222-4222-8222-222222222222",
	    "11111111-1111-4111-8111-111111111111", &p);
	assert_non_null(strstr(sql, "UPDATE widgets AS t SET name = $1::text, note = $2::text,"
	    " active = $3::boolean, tags = ARRAY(SELECT jsonb_array_elements_text($4::jsonb))"
	    " WHERE t.id = $5::uuid AND t.shop_id = $6::uuid AND t.deleted_at IS NULL RETURNING"));
	p.n = 0;
	sql = admin_sql_delete(&f->a, &widgets, "22222222-2222-4222-8222-222222222222",
	    "11111111-1111-4111-8111-111111111111", &p);
	assert_non_null(strstr(sql, "UPDATE widgets AS t SET deleted_at = now() WHERE"
	    " t.id = $1::uuid AND t.shop_id = $2::uuid AND t.deleted_at IS NULL RETURNING"));
	p.n = 0;
	sql = admin_sql_update(&f->a, &single, json_object_get(in, "none"), NULL, NULL, &p);
	assert_non_null(strstr(sql, "UPDATE settings AS t SET version = t.version WHERE"
	    " t.tenant_id = app_tenant() RETURNING"));
	assert_int_equal(p.n, 0);
	json_decref(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cursor_round_trips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cursor_without_tiebreak_has_one_value, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cursor_rejects_what_it_did_not_make, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_core_cursor_is_strict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_query_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_sort_descending_and_builtin_columns, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_list_sort_only_over_sortable_fields, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_list_limit_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_typed_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_filter_values_are_checked_by_type, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_list_refuses_unknown_and_repeated_parameters,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_deleted_and_ranges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_cursor_must_match_the_sort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_accepts_and_normalises, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_requires_required_fields_on_create_only,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_names_every_bad_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_nulls_only_where_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_create_only_fields_are_fixed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_input_array_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_if_match_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_if_match_from_the_body, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intervals_sorted_and_touching_allowed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_intervals_overlap_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intervals_bad_items_named, setup, teardown),
		cmocka_unit_test(test_format_checks),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_diff_names_changed_fields_without_secrets),
		cmocka_unit_test_setup_teardown(test_sql_row_json_renders_no_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sql_list_binds_every_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sql_writes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
