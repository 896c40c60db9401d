/* admin.h — the admin module's public header. The table-driven admin
 * resource engine: a module describes a resource once, as a constant
 * `struct admin_resource` (table, fields, flags, hooks), and gets list /
 * create / get / update / delete with cursor pagination, filters, sort,
 * optimistic concurrency (If-Match), soft delete, audit rows with
 * before/after, and one error vocabulary — as route handlers and as
 * services any ctx holder calls. Also the engine's own routes (the
 * read-only audit log).
 *
 * SQL identifiers come only from these constant descriptors; every value
 * from the outside is a bound parameter with a cast. A sortable field must
 * be a NOT NULL column (keyset pagination compares row values). */
#ifndef ADMIN_H
#define ADMIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/ctx.h"
#include "core/jsonv.h"
#include "http/http.h"
#include "modules/auth/auth.h"

struct db_tx;

/* How a field binds, compares and renders. */
enum admin_type {
	ADM_TEXT,
	ADM_CITEXT,	/* case-insensitive text (e-mail) */
	ADM_INT,
	ADM_BOOL,
	ADM_UUID,
	ADM_DATE,	/* "YYYY-MM-DD" */
	ADM_TIME,	/* "HH:MM" (24:00 allowed: the end of a day) */
	ADM_TSTZ,	/* RFC 3339 with offset in, UTC "…Z" out */
	ADM_TEXT_ARRAY,	/* JSON array of strings ↔ text[] */
	ADM_JSON,	/* jsonb, rendered as is (read-only) */
};

#define AF_REQUIRED	(1u << 0)	/* must be given on create */
#define AF_NULLABLE	(1u << 1)	/* may be null */
#define AF_FILTER	(1u << 2)	/* ?field=value on lists */
#define AF_SORT		(1u << 3)	/* ?sort=field|-field (NOT NULL columns only) */
#define AF_READONLY	(1u << 4)	/* rendered, never written through the API */
#define AF_CREATE_ONLY	(1u << 5)	/* written on create, fixed afterwards */
#define AF_SECRET	(1u << 6)	/* written, never rendered nor audited */
#define AF_NOAUDIT	(1u << 7)	/* rendered, but kept out of audit rows */

/* The row a uuid field points at, checked before writing so the caller
 * gets a 400 naming the field instead of a foreign-key failure. Only rows
 * visible to the tenant (RLS) count. */
struct admin_ref {
	const char *table;
	const char *column;	/* usually "id" */
	const char *live;	/* extra condition (constant SQL) or NULL */
	const char *what;	/* "service", for messages */
};

struct admin_field {
	struct jv_field v;	/* name (= column), JSON type, limits, enum, format;
				 * required/nullable come from flags */
	enum admin_type type;
	unsigned flags;
	int item_max;		/* ADM_TEXT_ARRAY: characters per item */
	const struct admin_ref *ref;
	/* Rewrites a valid value into its stored form (lower-case host, …);
	 * returns NULL after adding a detail to e when it cannot. */
	const char *(*normalise)(struct arena *a, const char *in, const char *field,
	    struct err *e);
};

/* A collection nested under another resource's row. */
struct admin_parent {
	const char *param;	/* path parameter, e.g. "service_id" */
	const char *column;	/* column of the child, e.g. "service_id" */
	const char *table;	/* the parent's table */
	bool soft;		/* the parent has deleted_at */
	const char *what;	/* "service", for messages */
};

enum admin_verb { ADMIN_CREATE, ADMIN_UPDATE, ADMIN_DELETE };

/* What a hook sees. before/merged are row objects as rendered. */
struct admin_op {
	const struct admin_resource *res;
	struct ctx *ctx;	/* arena, err, tenant and actor of the call */
	struct db_tx *tx;
	enum admin_verb verb;
	const char *id;		/* NULL on create and for singletons */
	const char *parent_id;
	json_t *before;		/* NULL on create */
	json_t *input;		/* validated fields being written (hooks may add) */
	json_t *merged;		/* the row as it will be: before + input */
	json_t *warnings;	/* array of {field, issue}: hooks append */
};

typedef enum status (*admin_hook)(struct admin_op *op);

#define ADMIN_SOFT_DELETE	(1u << 0)	/* DELETE sets deleted_at */
#define ADMIN_SINGLETON		(1u << 1)	/* one row per tenant: GET + PATCH (upsert) */
#define ADMIN_APPEND_ONLY	(1u << 2)	/* read-only, no version/updated_at (audit log) */
#define ADMIN_NO_UPDATE		(1u << 3)	/* no PATCH (domains) */

struct admin_resource {
	const char *name;	/* audit target type and action prefix: "service" */
	const char *title;	/* for messages: "service", "add-on" */
	const char *path;	/* "/v1/admin/services", "…/{service_id}/addons" */
	const char *table;
	const struct admin_field *fields;
	size_t nfields;
	unsigned flags;
	const struct admin_parent *parent;
	const char *default_sort;	/* "sort_order", "-created_at" */
	const char *tiebreak;		/* field ordered after the sort field (NULL: id only) */
	const char *range_field;	/* ?from=…&to=… over this field (half-open) */
	const char *unique_field;	/* named when a unique index refuses a write */
	const char *overlap_field;	/* named when an exclusion constraint refuses */
	admin_hook validate;		/* pure cross-field rules and warnings */
	admin_hook guard;		/* rules that read the database (plan limits) */
	const char *const *after_delete;	/* statements run after delete, $1 = id */
};

#define ADMIN_NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* Field shorthands for descriptors. */
#define ADMIN_F_TEXT(n, lo, hi, fl)						\
	{ .v = { .name = (n), .type = JV_STRING, .min = (lo), .max = (hi) },	\
	  .type = ADM_TEXT, .flags = (fl) }
#define ADMIN_F_FORMAT(n, hi, t, chk, desc, fl)					\
	{ .v = { .name = (n), .type = JV_STRING, .min = 1, .max = (hi),		\
	  .check = (chk), .check_desc = (desc) }, .type = (t), .flags = (fl) }
#define ADMIN_F_ENUM(n, list, fl)						\
	{ .v = { .name = (n), .type = JV_STRING, .min = 1, .max = 50,		\
	  .choices = (list) }, .type = ADM_TEXT, .flags = (fl) }
#define ADMIN_F_INT(n, lo, hi, fl)						\
	{ .v = { .name = (n), .type = JV_INT, .min = (lo), .max = (hi) },	\
	  .type = ADM_INT, .flags = (fl) }
#define ADMIN_F_BOOL(n, fl)							\
	{ .v = { .name = (n), .type = JV_BOOL }, .type = ADM_BOOL, .flags = (fl) }
#define ADMIN_F_TEXTS(n, items, item_chars, fl)					\
	{ .v = { .name = (n), .type = JV_ARRAY, .min = 0, .max = (items) },	\
	  .type = ADM_TEXT_ARRAY, .flags = (fl), .item_max = (item_chars) }
#define ADMIN_F_READONLY(n, t, fl)						\
	{ .v = { .name = (n), .type = JV_STRING }, .type = (t),			\
	  .flags = AF_READONLY | (fl) }

/* Services: the same operations for any caller holding a ctx (a route, a
 * job, the CLI's demo seed). Each is one transaction in ctx's tenant:
 * parent and row checks, the version check, the descriptor's hooks,
 * reference checks naming the field, the write and its audit row. body is
 * what a client would send: it is checked against the descriptor (unknown,
 * read-only, fixed and malformed fields named one by one) and normalised.
 * Hooks' warnings come back in the row's "warnings". */
struct admin_target {
	const struct admin_resource *res;
	const char *parent_id;	/* the parent row's UUID, for nested collections */
};

enum status admin_svc_get(struct ctx *ctx, const struct admin_target *t, const char *id,
    json_t **row) MUST_USE;
enum status admin_svc_create(struct ctx *ctx, const struct admin_target *t, json_t *body,
    json_t **row) MUST_USE;
/* have_version false: no version check. */
enum status admin_svc_update(struct ctx *ctx, const struct admin_target *t, const char *id,
    bool have_version, long long version, json_t *body, json_t **row) MUST_USE;
enum status admin_svc_delete(struct ctx *ctx, const struct admin_target *t, const char *id,
    bool have_version, long long version) MUST_USE;

/* Handlers: a module's route functions call these with its descriptor. */
enum status admin_list(const struct admin_resource *res, struct request *r,
    struct response *w) MUST_USE;
enum status admin_create(const struct admin_resource *res, struct request *r,
    struct response *w) MUST_USE;
enum status admin_get(const struct admin_resource *res, struct request *r,
    struct response *w) MUST_USE;
enum status admin_update(const struct admin_resource *res, struct request *r,
    struct response *w) MUST_USE;
enum status admin_delete(const struct admin_resource *res, struct request *r,
    struct response *w) MUST_USE;

/* Defines the five handlers of a collection (or two of a singleton) as
 * file-static functions prefix_list, prefix_create, … */
#define ADMIN_HANDLERS(prefix, desc)						\
	static enum status prefix##_list(struct request *r, struct response *w)	\
	{ return admin_list(&(desc), r, w); }					\
	static enum status prefix##_create(struct request *r, struct response *w) \
	{ return admin_create(&(desc), r, w); }					\
	static enum status prefix##_get(struct request *r, struct response *w)	\
	{ return admin_get(&(desc), r, w); }					\
	static enum status prefix##_update(struct request *r, struct response *w) \
	{ return admin_update(&(desc), r, w); }					\
	static enum status prefix##_delete(struct request *r, struct response *w) \
	{ return admin_delete(&(desc), r, w); }

#define ADMIN_SINGLETON_HANDLERS(prefix, desc)					\
	static enum status prefix##_get(struct request *r, struct response *w)	\
	{ return admin_get(&(desc), r, w); }					\
	static enum status prefix##_update(struct request *r, struct response *w) \
	{ return admin_update(&(desc), r, w); }

#define ADMIN_ROUTE(m, pattern, fn, res, verb)				\
	{ m, pattern, fn, TENANCY_HOST_OR_HEADER, PERM(res, verb), NULL }

/* The routes of a collection at base (items at base "/{id}"). */
#define ADMIN_COLLECTION_ROUTES(prefix, base, res)				\
	ADMIN_ROUTE(HTTP_GET, base, prefix##_list, res, VERB_READ),		\
	ADMIN_ROUTE(HTTP_POST, base, prefix##_create, res, VERB_WRITE),	\
	ADMIN_ROUTE(HTTP_GET, base "/{id}", prefix##_get, res, VERB_READ),	\
	ADMIN_ROUTE(HTTP_PATCH, base "/{id}", prefix##_update, res, VERB_WRITE), \
	ADMIN_ROUTE(HTTP_DELETE, base "/{id}", prefix##_delete, res, VERB_WRITE)

#define ADMIN_SINGLETON_ROUTES(prefix, base, res)				\
	ADMIN_ROUTE(HTTP_GET, base, prefix##_get, res, VERB_READ),		\
	ADMIN_ROUTE(HTTP_PATCH, base, prefix##_update, res, VERB_WRITE)

/* Format checks for jv_field.check (true when s is acceptable). */
bool admin_check_hex_color(const char *s);	/* #1a2B3c */
bool admin_check_https_url(const char *s);	/* https://host/… */
bool admin_check_http_url(const char *s);	/* http(s)://host/… */
bool admin_check_currency(const char *s);	/* ISO 4217 active code */
bool admin_check_time(const char *s);		/* HH:MM, 00:00..24:00 */
bool admin_check_date(const char *s);		/* YYYY-MM-DD, a real day */
bool admin_check_rfc3339(const char *s);	/* date-time with Z or ±hh:mm */
bool admin_check_country(const char *s);	/* ISO 3166-1 alpha-2 shape: US */
bool admin_check_uuid(const char *s);

/* Whole seconds since the epoch of an RFC 3339 date-time (checked). */
bool admin_rfc3339_seconds(const char *s, long long *out);

/* A weekly interval in local time: weekday 1 (Monday) .. 7 (Sunday). */
struct admin_interval {
	int weekday;
	char start[6], end[6];	/* "HH:MM" */
	size_t index;		/* position in the request */
};

/* Parses the member `field` of body: an array of at most max objects
 * {weekday, <start_key>, <end_key>} with start < end and no two intervals
 * of one weekday overlapping (touching is fine). Every bad item is named,
 * e.g. "intervals[2].closes". *out is sorted by weekday and start. */
enum status admin_parse_intervals(struct request *r, json_t *body, const char *field,
    const char *start_key, const char *end_key, size_t max,
    struct admin_interval **out, size_t *n) MUST_USE;
/* The same intervals as a JSON array (new reference). */
json_t *admin_intervals_json(const struct admin_interval *iv, size_t n,
    const char *start_key, const char *end_key);

/* Weekly interval tables (business_hours, staff_schedules): the rows of
 * owner_col = owner_id (all of the tenant's when owner_col is NULL) as
 * [{weekday, <start_col>, <end_col>}] sorted, and their replacement in the
 * caller's transaction. Table and column names are the caller's constants. */
enum status admin_intervals_load(struct db_tx *tx, const char *table, const char *owner_col,
    const char *owner_id, const char *start_col, const char *end_col, json_t **out) MUST_USE;
enum status admin_intervals_replace(struct db_tx *tx, const char *table,
    const char *owner_col, const char *owner_id, const char *start_col,
    const char *end_col, const struct admin_interval *iv, size_t n) MUST_USE;

/* Helpers for modules' own admin handlers (set endpoints, actions). */

/* The path parameter `param` as a UUID; ST_NOTFOUND naming `what` when it
 * is not one (a malformed id and an unknown id look alike). */
enum status admin_path_id(struct request *r, const char *param, const char *what,
    const char **out) MUST_USE;
/* Writes one audit row for the request's principal; steals changes. */
enum status admin_audit(struct db_tx *tx, const struct ctx *ctx, const char *action,
    const char *target_type, const char *target_id, json_t *changes) MUST_USE;
/* The version an If-Match header (or a "version" member, removed from
 * body) asks for: ST_OK with *have = false when neither was sent. */
enum status admin_if_match(struct request *r, json_t *body, bool *have,
    long long *version) MUST_USE;
/* Loads the row of res with id (and parent) FOR UPDATE. ST_NOTFOUND when
 * it is missing or soft-deleted. */
enum status admin_load_row(struct db_tx *tx, const struct admin_resource *res,
    const char *id, const char *parent_id, bool for_update, json_t **row) MUST_USE;
/* ST_CONFLICT naming If-Match unless row's version equals version. */
enum status admin_check_version(const struct ctx *ctx, const struct admin_resource *res,
    json_t *row, long long version) MUST_USE;
/* {"field": {"from": …, "to": …}} for the fields that differ between
 * before and after (either may be NULL), without secret or unaudited
 * fields. NULL when nothing differs. New reference. */
json_t *admin_diff(const struct admin_resource *res, json_t *before, json_t *after);
/* Writes set (any of res's fields, read-only ones included: for actions
 * such as verification) to row id; *row is the row after, NULL if none. */
enum status admin_update_row(struct db_tx *tx, const struct admin_resource *res, json_t *set,
    const char *id, json_t **row) MUST_USE;
/* Records a change to row id of res made through another table (its
 * skills, its schedule): bumps the version and returns the row. */
enum status admin_touch(struct db_tx *tx, const struct admin_resource *res, const char *id,
    json_t **row) MUST_USE;
/* Replies with a JSON object, adding an ETag from its "version". */
enum status admin_reply_row(struct request *r, struct response *w, int status, json_t *row);

/* The admin module's own routes: the audit log. */
extern const struct route_table admin_routes;

#endif
