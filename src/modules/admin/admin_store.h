/* admin_store.h — the admin engine's SQL: statement builders (pure, so
 * unit tests can read the SQL a descriptor produces) and their execution.
 * Identifiers come only from the constant descriptors; values only as
 * numbered, cast parameters. */
#ifndef ADMIN_STORE_H
#define ADMIN_STORE_H

#include <jansson.h>
#include <stdbool.h>

#include "db/db.h"
#include "modules/admin/admin.h"

#define ADMIN_PARAMS_MAX 64
#define ADMIN_FILTERS_MAX 16

struct admin_params {
	const char *v[ADMIN_PARAMS_MAX];
	int n;
};

struct admin_filter {
	const struct admin_field *f;
	const char *value;	/* validated text form */
};

/* A parsed list request. */
struct admin_list_q {
	int limit;
	const struct admin_field *sort;
	bool desc;
	const struct admin_field *tiebreak;	/* NULL: (sort, id) only */
	const char *sort_spec;			/* "-name": what a cursor is bound to */
	struct admin_filter filters[ADMIN_FILTERS_MAX];
	size_t nfilters;
	const char *from, *to;			/* range over res->range_field */
	bool include_deleted;
	bool has_cursor;
	const char *cursor_vals[2];		/* sort value, tiebreak value */
	const char *cursor_id;
};

/* One page of rows and the keys of its last row. */
struct admin_page {
	json_t *items;		/* array of row objects (new reference) */
	bool more;
	const char *last_vals[2];
	const char *last_id;
};

/* A field by name, including the built-in created_at / updated_at. */
const struct admin_field *admin_find_field(const struct admin_resource *res,
    const char *name);

/* Builders: SQL text in the arena; values go to p. */
char *admin_sql_row_json(struct arena *a, const struct admin_resource *res);
char *admin_sql_list(struct arena *a, const struct admin_resource *res,
    const struct admin_list_q *q, const char *parent_id, struct admin_params *p);
char *admin_sql_select(struct arena *a, const struct admin_resource *res,
    const char *id, const char *parent_id, bool for_update, struct admin_params *p);
char *admin_sql_insert(struct arena *a, const struct admin_resource *res,
    json_t *input, const char *parent_id, struct admin_params *p);
char *admin_sql_update(struct arena *a, const struct admin_resource *res,
    json_t *set, const char *id, const char *parent_id, struct admin_params *p);
char *admin_sql_delete(struct arena *a, const struct admin_resource *res,
    const char *id, const char *parent_id, struct admin_params *p);
/* The text a JSON value binds as for field f (NULL for null). */
const char *admin_value_text(struct arena *a, const struct admin_field *f, json_t *v);

/* Execution. */
enum status admin_store_list(struct db_tx *tx, const struct admin_resource *res,
    const struct admin_list_q *q, const char *parent_id, struct admin_page *out) MUST_USE;
/* *row is NULL when there is no such (live) row. */
enum status admin_store_one(struct db_tx *tx, const struct admin_resource *res,
    const char *id, const char *parent_id, bool for_update, json_t **row) MUST_USE;
enum status admin_store_insert(struct db_tx *tx, const struct admin_resource *res,
    json_t *input, const char *parent_id, json_t **row) MUST_USE;
enum status admin_store_update(struct db_tx *tx, const struct admin_resource *res,
    json_t *set, const char *id, const char *parent_id, json_t **row) MUST_USE;
enum status admin_store_delete(struct db_tx *tx, const struct admin_resource *res,
    const char *id, const char *parent_id, json_t **row) MUST_USE;
/* Whether table has a row with column = value (and the live condition). */
enum status admin_store_exists(struct db_tx *tx, const char *table, const char *column,
    const char *live, const char *value, bool *found) MUST_USE;
/* Runs one of a descriptor's constant statements with $1 = id. */
enum status admin_store_exec_id(struct db_tx *tx, const char *sql, const char *id) MUST_USE;

#endif
