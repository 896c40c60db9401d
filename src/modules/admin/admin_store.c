/* admin_store.c — SQL for the admin engine, and only SQL: builders that
 * turn a constant descriptor into statements, and their execution. Every
 * identifier printed here comes from a descriptor (or is a literal below);
 * every value is a $n parameter with a cast. */
#include "modules/admin/admin_store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string builder in the arena (statements are small and built once). */
struct sb {
	struct arena *a;
	char *s;
	size_t len, cap;
};

static void
sb_init(struct sb *b, struct arena *a)
{
	b->a = a;
	b->cap = 512;
	b->len = 0;
	b->s = arena_alloc(a, b->cap);
	b->s[0] = '\0';
}

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if ((size_t)n < b->cap - b->len)
			break;
		char *bigger = arena_alloc(b->a, b->cap * 2 + (size_t)n);

		memcpy(bigger, b->s, b->len + 1);
		b->s = bigger;
		b->cap = b->cap * 2 + (size_t)n;
	}
	b->len += (size_t)n;
}

/* The next parameter number for value v. */
static int
param(struct admin_params *p, const char *v)
{
	if (p->n >= ADMIN_PARAMS_MAX)
		abort();	/* descriptors are bounded: a bug, not input */
	p->v[p->n++] = v;
	return p->n;
}

static const struct admin_field builtin_created_at = {
	.v = { .name = "created_at", .type = JV_STRING },
	.type = ADM_TSTZ, .flags = AF_SORT | AF_READONLY,
};
static const struct admin_field builtin_updated_at = {
	.v = { .name = "updated_at", .type = JV_STRING },
	.type = ADM_TSTZ, .flags = AF_SORT | AF_READONLY,
};

const struct admin_field *
admin_find_field(const struct admin_resource *res, const char *name)
{
	for (size_t i = 0; i < res->nfields; i++)
		if (strcmp(res->fields[i].v.name, name) == 0)
			return &res->fields[i];
	if (strcmp(name, "created_at") == 0)
		return &builtin_created_at;
	if (strcmp(name, "updated_at") == 0 && !(res->flags & ADMIN_APPEND_ONLY))
		return &builtin_updated_at;
	return NULL;
}

static const char *
cast_of(enum admin_type t)
{
	switch (t) {
	case ADM_TEXT: return "text";
	case ADM_CITEXT: return "citext";
	case ADM_INT: return "int";
	case ADM_BOOL: return "boolean";
	case ADM_UUID: return "uuid";
	case ADM_DATE: return "date";
	case ADM_TIME: return "time";
	case ADM_TSTZ: return "timestamptz";
	case ADM_TEXT_ARRAY: return "text[]";
	case ADM_JSON: return "jsonb";
	}
	abort();
}

/* A parameter as a value of field f's column type. */
static void
put_param(struct sb *b, const struct admin_field *f, int n)
{
	if (f->type == ADM_TEXT_ARRAY)	/* bound as a JSON array: no array-literal quoting */
		sb_printf(b, "ARRAY(SELECT jsonb_array_elements_text($%d::jsonb))", n);
	else
		sb_printf(b, "$%d::%s", n, cast_of(f->type));
}

/* A column as it is rendered in a row object. */
static void
put_render(struct sb *b, const char *col, enum admin_type t)
{
	if (t == ADM_TIME)
		sb_printf(b, "to_char(t.%s, 'HH24:MI')", col);
	else if (t == ADM_TSTZ)
		sb_printf(b, DB_RFC3339("t.%s"), col);
	else
		sb_printf(b, "t.%s", col);
}

char *
admin_sql_row_json(struct arena *a, const struct admin_resource *res)
{
	struct sb b;
	bool first = true;

	sb_init(&b, a);
	sb_printf(&b, "json_build_object(");
	if (!(res->flags & ADMIN_SINGLETON)) {
		sb_printf(&b, "'id', t.id");
		first = false;
	}
	if (res->parent != NULL) {
		sb_printf(&b, "%s'%s', t.%s", first ? "" : ", ", res->parent->column,
		    res->parent->column);
		first = false;
	}
	for (size_t i = 0; i < res->nfields; i++) {
		const struct admin_field *f = &res->fields[i];

		if (f->flags & AF_SECRET)
			continue;
		sb_printf(&b, "%s'%s', ", first ? "" : ", ", f->v.name);
		put_render(&b, f->v.name, f->type);
		first = false;
	}
	if (!(res->flags & ADMIN_APPEND_ONLY))
		sb_printf(&b, ", 'version', t.version");
	sb_printf(&b, ", 'created_at', ");
	put_render(&b, "created_at", ADM_TSTZ);
	if (!(res->flags & ADMIN_APPEND_ONLY)) {
		sb_printf(&b, ", 'updated_at', ");
		put_render(&b, "updated_at", ADM_TSTZ);
	}
	if (res->flags & ADMIN_SOFT_DELETE) {
		sb_printf(&b, ", 'deleted_at', ");
		put_render(&b, "deleted_at", ADM_TSTZ);
	}
	sb_printf(&b, ")::text");
	return b.s;
}

/* The WHERE condition naming one row (and its parent), live rows only. */
static void
put_key(struct sb *b, const struct admin_resource *res, const char *id,
    const char *parent_id, struct admin_params *p)
{
	if (res->flags & ADMIN_SINGLETON) {
		sb_printf(b, "t.tenant_id = app_tenant()");
		return;
	}
	sb_printf(b, "t.id = $%d::uuid", param(p, id));
	if (res->parent != NULL)
		sb_printf(b, " AND t.%s = $%d::uuid", res->parent->column, param(p, parent_id));
	if (res->flags & ADMIN_SOFT_DELETE)
		sb_printf(b, " AND t.deleted_at IS NULL");
}

char *
admin_sql_list(struct arena *a, const struct admin_resource *res,
    const struct admin_list_q *q, const char *parent_id, struct admin_params *p)
{
	const char *dir = q->desc ? " DESC" : "";
	const char *rng = res->range_field;
	const struct admin_field *rf = rng ? admin_find_field(res, rng) : NULL;
	struct sb b;

	sb_init(&b, a);
	sb_printf(&b, "SELECT %s, t.%s::text, %s%s%s, t.id::text FROM %s t WHERE true",
	    admin_sql_row_json(a, res), q->sort->v.name,
	    q->tiebreak ? "t." : "NULL", q->tiebreak ? q->tiebreak->v.name : "",
	    q->tiebreak ? "::text" : "", res->table);
	if (res->parent != NULL)
		sb_printf(&b, " AND t.%s = $%d::uuid", res->parent->column, param(p, parent_id));
	if ((res->flags & ADMIN_SOFT_DELETE) && !q->include_deleted)
		sb_printf(&b, " AND t.deleted_at IS NULL");
	for (size_t i = 0; i < q->nfilters; i++) {
		const struct admin_field *f = q->filters[i].f;
		int n = param(p, q->filters[i].value);

		if (f->type == ADM_TEXT_ARRAY)
			sb_printf(&b, " AND $%d::text = ANY (t.%s)", n, f->v.name);
		else
			sb_printf(&b, " AND t.%s = $%d::%s", f->v.name, n, cast_of(f->type));
	}
	if (rf != NULL && q->from != NULL)
		sb_printf(&b, " AND t.%s >= $%d::%s", rng, param(p, q->from), cast_of(rf->type));
	if (rf != NULL && q->to != NULL)
		sb_printf(&b, " AND t.%s < $%d::%s", rng, param(p, q->to), cast_of(rf->type));
	if (q->has_cursor) {
		/* Keyset: rows strictly after the last one seen, in sort order. */
		sb_printf(&b, " AND (t.%s", q->sort->v.name);
		if (q->tiebreak)
			sb_printf(&b, ", t.%s", q->tiebreak->v.name);
		sb_printf(&b, ", t.id) %s ($%d::%s", q->desc ? "<" : ">",
		    param(p, q->cursor_vals[0]), cast_of(q->sort->type));
		if (q->tiebreak)
			sb_printf(&b, ", $%d::%s", param(p, q->cursor_vals[1]),
			    cast_of(q->tiebreak->type));
		sb_printf(&b, ", $%d::uuid)", param(p, q->cursor_id));
	}
	sb_printf(&b, " ORDER BY t.%s%s", q->sort->v.name, dir);
	if (q->tiebreak)
		sb_printf(&b, ", t.%s%s", q->tiebreak->v.name, dir);
	/* One row more than asked: whether there is a next page. */
	sb_printf(&b, ", t.id%s LIMIT %d", dir, q->limit + 1);
	return b.s;
}

char *
admin_sql_select(struct arena *a, const struct admin_resource *res, const char *id,
    const char *parent_id, bool for_update, struct admin_params *p)
{
	struct sb b;

	sb_init(&b, a);
	sb_printf(&b, "SELECT %s FROM %s t WHERE ", admin_sql_row_json(a, res), res->table);
	put_key(&b, res, id, parent_id, p);
	if (for_update)
		sb_printf(&b, " FOR UPDATE");
	return b.s;
}

const char *
admin_value_text(struct arena *a, const struct admin_field *f, json_t *v)
{
	char *s;

	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		return arena_printf(a, "%lld", (long long)json_integer_value(v));
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	(void)f;	/* arrays and objects: bound as JSON text */
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL)
		abort();
	arena_defer(a, free, s);
	return s;
}

char *
admin_sql_insert(struct arena *a, const struct admin_resource *res, json_t *input,
    const char *parent_id, struct admin_params *p)
{
	struct sb cols, vals;

	sb_init(&cols, a);
	sb_init(&vals, a);
	sb_printf(&cols, "tenant_id");
	sb_printf(&vals, "app_tenant()");
	if (res->parent != NULL) {
		sb_printf(&cols, ", %s", res->parent->column);
		sb_printf(&vals, ", $%d::uuid", param(p, parent_id));
	}
	for (size_t i = 0; i < res->nfields; i++) {
		const struct admin_field *f = &res->fields[i];
		json_t *v = json_object_get(input, f->v.name);

		if (v == NULL)
			continue;
		sb_printf(&cols, ", %s", f->v.name);
		sb_printf(&vals, ", ");
		put_param(&vals, f, param(p, admin_value_text(a, f, v)));
	}
	return arena_printf(a, "INSERT INTO %s AS t (%s) VALUES (%s) RETURNING %s",
	    res->table, cols.s, vals.s, admin_sql_row_json(a, res));
}

char *
admin_sql_update(struct arena *a, const struct admin_resource *res, json_t *set,
    const char *id, const char *parent_id, struct admin_params *p)
{
	struct sb b;
	bool first = true;

	sb_init(&b, a);
	sb_printf(&b, "UPDATE %s AS t SET ", res->table);
	for (size_t i = 0; i < res->nfields; i++) {
		const struct admin_field *f = &res->fields[i];
		json_t *v = json_object_get(set, f->v.name);

		if (v == NULL)
			continue;
		sb_printf(&b, "%s%s = ", first ? "" : ", ", f->v.name);
		put_param(&b, f, param(p, admin_value_text(a, f, v)));
		first = false;
	}
	if (first)	/* nothing to set: still bump the version */
		sb_printf(&b, "version = t.version");
	sb_printf(&b, " WHERE ");
	put_key(&b, res, id, parent_id, p);
	sb_printf(&b, " RETURNING %s", admin_sql_row_json(a, res));
	return b.s;
}

char *
admin_sql_delete(struct arena *a, const struct admin_resource *res, const char *id,
    const char *parent_id, struct admin_params *p)
{
	struct sb b;

	sb_init(&b, a);
	if (res->flags & ADMIN_SOFT_DELETE)
		sb_printf(&b, "UPDATE %s AS t SET deleted_at = now() WHERE ", res->table);
	else
		sb_printf(&b, "DELETE FROM %s AS t WHERE ", res->table);
	put_key(&b, res, id, parent_id, p);
	sb_printf(&b, " RETURNING %s", admin_sql_row_json(a, res));
	return b.s;
}

/* Parses a row object rendered by the database. */
static enum status
row_from(struct db_tx *tx, PGresult *res, int i, json_t **out)
{
	json_error_t je;
	json_t *j = json_loads(PQgetvalue(res, i, 0), 0, &je);

	if (j == NULL)
		return err_set(tx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	arena_defer(tx->arena, (void (*)(void *))json_decref, j);
	*out = j;
	return ST_OK;
}

enum status
admin_store_list(struct db_tx *tx, const struct admin_resource *res,
    const struct admin_list_q *q, const char *parent_id, struct admin_page *out)
{
	struct admin_params p = { .n = 0 };
	const char *sql = admin_sql_list(tx->arena, res, q, parent_id, &p);
	PGresult *pr = db_exec(tx, sql, p.n, p.v);
	int n;

	memset(out, 0, sizeof(*out));
	if (pr == NULL)
		return db_status(tx);
	n = PQntuples(pr);
	out->more = n > q->limit;
	if (out->more)
		n = q->limit;
	out->items = json_array();
	arena_defer(tx->arena, (void (*)(void *))json_decref, out->items);
	for (int i = 0; i < n; i++) {
		json_t *row;
		enum status st;

		if ((st = row_from(tx, pr, i, &row)) != ST_OK)
			return st;
		json_array_append(out->items, row);
	}
	if (n > 0) {
		out->last_vals[0] = db_val(pr, n - 1, 1);
		out->last_vals[1] = db_val(pr, n - 1, 2);
		out->last_id = db_val(pr, n - 1, 3);
	}
	return ST_OK;
}

enum status
admin_store_one(struct db_tx *tx, const struct admin_resource *res, const char *id,
    const char *parent_id, bool for_update, json_t **row)
{
	struct admin_params p = { .n = 0 };
	const char *sql = admin_sql_select(tx->arena, res, id, parent_id, for_update, &p);
	PGresult *pr = db_exec(tx, sql, p.n, p.v);

	*row = NULL;
	if (pr == NULL)
		return db_status(tx);
	return PQntuples(pr) > 0 ? row_from(tx, pr, 0, row) : ST_OK;
}

/* Runs a statement that returns one row object (or none). */
static enum status
exec_row(struct db_tx *tx, const char *sql, struct admin_params *p, json_t **row)
{
	PGresult *pr = db_exec(tx, sql, p->n, p->v);

	*row = NULL;
	if (pr == NULL)
		return db_status(tx);
	return PQntuples(pr) > 0 ? row_from(tx, pr, 0, row) : ST_OK;
}

enum status
admin_store_insert(struct db_tx *tx, const struct admin_resource *res, json_t *input,
    const char *parent_id, json_t **row)
{
	struct admin_params p = { .n = 0 };

	return exec_row(tx, admin_sql_insert(tx->arena, res, input, parent_id, &p), &p, row);
}

enum status
admin_store_update(struct db_tx *tx, const struct admin_resource *res, json_t *set,
    const char *id, const char *parent_id, json_t **row)
{
	struct admin_params p = { .n = 0 };

	return exec_row(tx, admin_sql_update(tx->arena, res, set, id, parent_id, &p), &p, row);
}

enum status
admin_store_delete(struct db_tx *tx, const struct admin_resource *res, const char *id,
    const char *parent_id, json_t **row)
{
	struct admin_params p = { .n = 0 };

	return exec_row(tx, admin_sql_delete(tx->arena, res, id, parent_id, &p), &p, row);
}

enum status
admin_store_exists(struct db_tx *tx, const char *table, const char *column,
    const char *live, const char *value, bool *found)
{
	const char *params[1] = { value };
	char *sql = arena_printf(tx->arena, "SELECT 1 FROM %s WHERE %s = $1::uuid%s%s%s",
	    table, column, live ? " AND (" : "", live ? live : "", live ? ")" : "");
	PGresult *pr = db_exec(tx, sql, 1, params);

	if (pr == NULL)
		return db_status(tx);
	*found = PQntuples(pr) > 0;
	return ST_OK;
}

enum status
admin_store_exec_id(struct db_tx *tx, const char *sql, const char *id)
{
	const char *params[1] = { id };

	return db_exec(tx, sql, 1, params) == NULL ? db_status(tx) : ST_OK;
}

enum status
admin_intervals_load(struct db_tx *tx, const char *table, const char *owner_col,
    const char *owner_id, const char *start_col, const char *end_col, json_t **out)
{
	const char *params[1] = { owner_id };
	char *sql = arena_printf(tx->arena, "SELECT coalesce(json_agg(json_build_object("
	    "'weekday', t.weekday, '%s', to_char(t.%s, 'HH24:MI'), '%s', to_char(t.%s, 'HH24:MI'))"
	    " ORDER BY t.weekday, t.%s), '[]')::text FROM %s t WHERE %s%s%s",
	    start_col, start_col, end_col, end_col, start_col, table,
	    owner_col ? "t." : "true", owner_col ? owner_col : "", owner_col ? " = $1::uuid" : "");
	PGresult *pr = db_exec(tx, sql, owner_col ? 1 : 0, params);
	json_error_t je;

	*out = NULL;
	if (pr == NULL)
		return db_status(tx);
	if ((*out = json_loads(PQgetvalue(pr, 0, 0), 0, &je)) == NULL)
		return err_set(tx->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	arena_defer(tx->arena, (void (*)(void *))json_decref, *out);
	return ST_OK;
}

enum status
admin_intervals_replace(struct db_tx *tx, const char *table, const char *owner_col,
    const char *owner_id, const char *start_col, const char *end_col,
    const struct admin_interval *iv, size_t n)
{
	json_t *a = json_array();
	const char *params[2];
	char *del, *ins, *text;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:i, s:s, s:s}", "w", iv[i].weekday,
		    "s", iv[i].start, "e", iv[i].end));
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (text == NULL)
		abort();
	arena_defer(tx->arena, free, text);
	params[0] = owner_id;
	params[1] = text;
	del = arena_printf(tx->arena, "DELETE FROM %s t WHERE t.tenant_id = app_tenant()%s%s%s",
	    table, owner_col ? " AND t." : "", owner_col ? owner_col : "",
	    owner_col ? " = $1::uuid" : "");
	ins = arena_printf(tx->arena, "INSERT INTO %s (tenant_id, %s%sweekday, %s, %s)"
	    " SELECT app_tenant(), %s(x->>'w')::smallint, (x->>'s')::time, (x->>'e')::time"
	    " FROM jsonb_array_elements($%d::jsonb) x",
	    table, owner_col ? owner_col : "", owner_col ? ", " : "", start_col, end_col,
	    owner_col ? "$1::uuid, " : "", owner_col ? 2 : 1);
	if (db_exec(tx, del, owner_col ? 1 : 0, params) == NULL)
		return db_status(tx);
	if (n > 0 && db_exec(tx, ins, owner_col ? 2 : 1, owner_col ? params : params + 1) == NULL)
		return db_status(tx);
	return ST_OK;
}
