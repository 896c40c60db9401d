/* catalog_routes.c — the catalog's admin API: descriptors for services,
 * add-ons, staff, time off and resources (served by the admin engine), and
 * the set endpoints that replace a staff member's services or weekly
 * schedule, or a resource's services, at once. Parse, call, render. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/addr.h"
#include "core/ids.h"
#include "modules/catalog/catalog.h"
#include "modules/catalog/catalog_service.h"
#include "modules/catalog/catalog_store.h"

#define SERVICES "/v1/admin/services"
#define ADDONS "/v1/admin/services/{service_id}/addons"
#define STAFF "/v1/admin/staff"
#define TIME_OFF "/v1/admin/staff/{staff_id}/time-off"
#define RESOURCES "/v1/admin/resources"

#define SET_ITEMS_MAX 200
#define SCHEDULE_MAX 50

/* Descriptors ------------------------------------------------------------------- */

static const struct admin_field service_fields[] = {
	ADMIN_F_TEXT("name", 1, 120, AF_REQUIRED | AF_FILTER | AF_SORT),
	ADMIN_F_TEXT("description", 0, 2000, AF_NULLABLE),
	ADMIN_F_INT("duration_minutes", 5, 720, AF_REQUIRED | AF_FILTER | AF_SORT),
	ADMIN_F_INT("price_minor", 0, 1000000000, AF_REQUIRED | AF_SORT),
	ADMIN_F_FORMAT("currency", 3, ADM_TEXT, admin_check_currency,
	    "an ISO 4217 currency code such as USD", AF_REQUIRED | AF_FILTER),
	ADMIN_F_INT("buffer_before_minutes", 0, 240, 0),
	ADMIN_F_INT("buffer_after_minutes", 0, 240, 0),
	ADMIN_F_BOOL("active", AF_FILTER),
	ADMIN_F_INT("sort_order", 0, 1000000, AF_SORT),
};

const struct admin_resource catalog_services_res = {
	.name = "service", .title = "service", .path = SERVICES, .table = "services",
	.fields = service_fields, .nfields = ADMIN_NFIELDS(service_fields),
	.flags = ADMIN_SOFT_DELETE, .default_sort = "sort_order", .tiebreak = "name",
	.unique_field = "name", .guard = catalog_service_guard,
	.after_delete = catalog_service_after_delete,
};

static const struct admin_parent addon_parent = {
	"service_id", "service_id", "services", true, "service",
};

static const struct admin_field addon_fields[] = {
	ADMIN_F_TEXT("name", 1, 120, AF_REQUIRED | AF_FILTER | AF_SORT),
	ADMIN_F_INT("price_minor", 0, 1000000000, AF_SORT),
	ADMIN_F_FORMAT("currency", 3, ADM_TEXT, admin_check_currency,
	    "an ISO 4217 currency code such as USD", 0),
	ADMIN_F_INT("duration_minutes", 0, 240, AF_SORT),
	ADMIN_F_BOOL("active", AF_FILTER),
	ADMIN_F_INT("sort_order", 0, 1000000, AF_SORT),
};

const struct admin_resource catalog_addons_res = {
	.name = "service_addon", .title = "add-on", .path = ADDONS, .table = "service_addons",
	.fields = addon_fields, .nfields = ADMIN_NFIELDS(addon_fields),
	.flags = ADMIN_SOFT_DELETE, .parent = &addon_parent, .default_sort = "sort_order",
	.tiebreak = "name", .unique_field = "name", .guard = catalog_addon_guard,
};

static const struct admin_ref membership_ref = {
	"tenant_memberships", "user_id", "deleted_at IS NULL", "user",
};

static const struct admin_field staff_fields[] = {
	ADMIN_F_TEXT("display_name", 1, 120, AF_REQUIRED | AF_FILTER | AF_SORT),
	ADMIN_F_FORMAT("email", 254, ADM_CITEXT, addr_email_ok, "an e-mail address",
	    AF_NULLABLE | AF_FILTER),
	ADMIN_F_FORMAT("phone", 16, ADM_TEXT, addr_e164_ok,
	    "a phone number in E.164 form such as +14155550123", AF_NULLABLE),
	ADMIN_F_BOOL("active", AF_FILTER),
	{ .v = { .name = "user_id", .type = JV_STRING, .min = 36, .max = 36,
	  .check = admin_check_uuid, .check_desc = "a user id" },
	  .type = ADM_UUID, .flags = AF_NULLABLE | AF_FILTER, .ref = &membership_ref },
	ADMIN_F_FORMAT("color", 7, ADM_TEXT, admin_check_hex_color, "a colour such as #1a2b3c",
	    AF_NULLABLE),
};

const struct admin_resource catalog_staff_res = {
	.name = "staff", .title = "staff member", .path = STAFF, .table = "staff",
	.fields = staff_fields, .nfields = ADMIN_NFIELDS(staff_fields),
	.flags = ADMIN_SOFT_DELETE, .default_sort = "display_name", .unique_field = "email",
	.guard = catalog_staff_guard, .after_delete = catalog_staff_after_delete,
};

static const struct admin_parent time_off_parent = {
	"staff_id", "staff_id", "staff", true, "staff member",
};

static const struct admin_field time_off_fields[] = {
	ADMIN_F_FORMAT("starts_at", 35, ADM_TSTZ, admin_check_rfc3339,
	    "an RFC 3339 date-time with offset", AF_REQUIRED | AF_SORT),
	ADMIN_F_FORMAT("ends_at", 35, ADM_TSTZ, admin_check_rfc3339,
	    "an RFC 3339 date-time with offset", AF_REQUIRED | AF_SORT),
	ADMIN_F_TEXT("reason", 0, 200, AF_NULLABLE),
};

const struct admin_resource catalog_time_off_res = {
	.name = "staff_time_off", .title = "time off", .path = TIME_OFF,
	.table = "staff_time_off", .fields = time_off_fields,
	.nfields = ADMIN_NFIELDS(time_off_fields), .parent = &time_off_parent,
	.default_sort = "starts_at", .range_field = "starts_at",
	.validate = catalog_time_off_validate,
};

static const char *const resource_kinds[] = { "room", "chair", "equipment", "other", NULL };

static const struct admin_field resource_fields[] = {
	ADMIN_F_TEXT("name", 1, 120, AF_REQUIRED | AF_FILTER | AF_SORT),
	ADMIN_F_ENUM("kind", resource_kinds, AF_FILTER | AF_SORT),
	ADMIN_F_INT("quantity", 1, 100, AF_FILTER | AF_SORT),
	ADMIN_F_BOOL("active", AF_FILTER),
};

const struct admin_resource catalog_resources_res = {
	.name = "resource", .title = "resource", .path = RESOURCES, .table = "resources",
	.fields = resource_fields, .nfields = ADMIN_NFIELDS(resource_fields),
	.flags = ADMIN_SOFT_DELETE, .default_sort = "name", .unique_field = "name",
	.guard = catalog_resource_guard, .after_delete = catalog_resource_after_delete,
};

ADMIN_HANDLERS(services, catalog_services_res)
ADMIN_HANDLERS(addons, catalog_addons_res)
ADMIN_HANDLERS(staff, catalog_staff_res)
ADMIN_HANDLERS(time_off, catalog_time_off_res)
ADMIN_HANDLERS(resources, catalog_resources_res)

/* Set endpoints -------------------------------------------------------------------- */

/* The body of a set PUT: If-Match (or "version"), then exactly one member
 * `field`, an array of at most max items. */
static enum status
set_body(struct request *r, const char *field, size_t max, json_t **body, bool *have,
    long long *version)
{
	const struct jv_field f[] = {
		{ field, JV_ARRAY, true, false, 0, (long long)max, NULL, NULL, NULL },
	};
	enum status st;

	if ((st = http_json_body(r, body)) != ST_OK ||
	    (st = admin_if_match(r, *body, have, version)) != ST_OK)
		return st;
	return jv_validate(*body, f, 1, &r->err);
}

static char *
lower_uuid(struct arena *a, const char *s)
{
	char *o = arena_strdup(a, s);

	for (char *p = o; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return o;
}

/* GET /v1/admin/staff/{id}/services */
static enum status
staff_services_get(struct request *r, struct response *w)
{
	const char *id;
	json_t *out;
	enum status st;

	if ((st = admin_path_id(r, "id", "staff member", &id)) != ST_OK ||
	    (st = catalog_staff_services_get(&r->ctx, id, &out)) != ST_OK)
		return st;
	return admin_reply_row(r, w, 200, out);
}

/* PUT /v1/admin/staff/{id}/services {"service_ids": [...]} */
static enum status
staff_services_put(struct request *r, struct response *w)
{
	const char *id, **seen;
	json_t *body, *arr, *v, *ids, *out;
	long long version = 0;
	bool have = false;
	size_t i, n;
	enum status st;

	if ((st = admin_path_id(r, "id", "staff member", &id)) != ST_OK ||
	    (st = set_body(r, "service_ids", SET_ITEMS_MAX, &body, &have, &version)) != ST_OK)
		return st;
	arr = json_object_get(body, "service_ids");
	n = json_array_size(arr);
	seen = arena_calloc(r->arena, n + 1, sizeof(*seen));
	ids = json_array();
	arena_defer(r->arena, (void (*)(void *))json_decref, ids);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || !id_is_uuid(json_string_value(v))) {
			err_detail(&r->err, arena_printf(r->arena, "service_ids[%zu]", i),
			    "must be a service id");
			continue;
		}
		seen[i] = lower_uuid(r->arena, json_string_value(v));
		for (size_t j = 0; j < i; j++)
			if (seen[j] != NULL && strcmp(seen[j], seen[i]) == 0)
				err_detail(&r->err, arena_printf(r->arena, "service_ids[%zu]", i),
				    "repeats service_ids[%zu]", j);
		json_array_append_new(ids, json_string(seen[i]));
	}
	if (r->err.ndetails > 0)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	if ((st = catalog_staff_services_put(&r->ctx, id, have, version, ids, &out)) != ST_OK)
		return st;
	return admin_reply_row(r, w, 200, out);
}

/* GET /v1/admin/staff/{id}/schedule */
static enum status
staff_schedule_get(struct request *r, struct response *w)
{
	const char *id;
	json_t *out;
	enum status st;

	if ((st = admin_path_id(r, "id", "staff member", &id)) != ST_OK ||
	    (st = catalog_staff_schedule_get(&r->ctx, id, &out)) != ST_OK)
		return st;
	return admin_reply_row(r, w, 200, out);
}

/* PUT /v1/admin/staff/{id}/schedule {"intervals": [{weekday, starts, ends}]} */
static enum status
staff_schedule_put(struct request *r, struct response *w)
{
	struct admin_interval *iv;
	const char *id;
	json_t *body, *out;
	long long version = 0;
	bool have = false;
	size_t n;
	enum status st;

	if ((st = admin_path_id(r, "id", "staff member", &id)) != ST_OK ||
	    (st = set_body(r, "intervals", SCHEDULE_MAX, &body, &have, &version)) != ST_OK ||
	    (st = admin_parse_intervals(r, body, "intervals", "starts", "ends", SCHEDULE_MAX,
	    &iv, &n)) != ST_OK ||
	    (st = catalog_staff_schedule_put(&r->ctx, id, have, version, iv, n, &out)) != ST_OK)
		return st;
	return admin_reply_row(r, w, 200, out);
}

/* GET /v1/admin/resources/{id}/services */
static enum status
resource_services_get(struct request *r, struct response *w)
{
	const char *id;
	json_t *out;
	enum status st;

	if ((st = admin_path_id(r, "id", "resource", &id)) != ST_OK ||
	    (st = catalog_resource_services_get(&r->ctx, id, &out)) != ST_OK)
		return st;
	return admin_reply_row(r, w, 200, out);
}

/* PUT /v1/admin/resources/{id}/services
 * {"items": [{"service_id": …, "quantity_needed": 1}]} */
static enum status
resource_services_put(struct request *r, struct response *w)
{
	const char *id;
	json_t *body, *arr, *v, *items, *out, **seen;
	long long version = 0;
	bool have = false;
	size_t i, n, k = 0;
	enum status st;

	if ((st = admin_path_id(r, "id", "resource", &id)) != ST_OK ||
	    (st = set_body(r, "items", SET_ITEMS_MAX, &body, &have, &version)) != ST_OK)
		return st;
	arr = json_object_get(body, "items");
	n = json_array_size(arr);
	seen = arena_calloc(r->arena, n + 1, sizeof(*seen));
	json_array_foreach(arr, i, v) {
		const char *at = arena_printf(r->arena, "items[%zu]", i), *key;
		json_t *sid = json_object_get(v, "service_id");
		json_t *q = json_object_get(v, "quantity_needed"), *x;
		bool ok = true;

		if (!json_is_object(v)) {
			err_detail(&r->err, at, "must be an object");
			continue;
		}
		json_object_foreach(v, key, x) {
			if (strcmp(key, "service_id") != 0 && strcmp(key, "quantity_needed") != 0) {
				err_detail(&r->err, arena_printf(r->arena, "%s.%s", at, key),
				    "is not a known field");
				ok = false;
			}
		}
		if (!json_is_string(sid) || !id_is_uuid(json_string_value(sid))) {
			err_detail(&r->err, arena_printf(r->arena, "%s.service_id", at),
			    "must be a service id");
			ok = false;
		}
		if (q != NULL && (!json_is_integer(q) || json_integer_value(q) < 1 ||
		    json_integer_value(q) > 100)) {
			err_detail(&r->err, arena_printf(r->arena, "%s.quantity_needed", at),
			    "must be between 1 and 100");
			ok = false;
		}
		if (!ok)
			continue;
		seen[k] = json_pack("{s:s, s:I}", "service_id",
		    lower_uuid(r->arena, json_string_value(sid)), "quantity_needed",
		    (json_int_t)(q ? json_integer_value(q) : 1));
		arena_defer(r->arena, (void (*)(void *))json_decref, seen[k]);
		for (size_t j = 0; j < k; j++)
			if (json_equal(json_object_get(seen[j], "service_id"),
			    json_object_get(seen[k], "service_id")))
				err_detail(&r->err, arena_printf(r->arena, "%s.service_id", at),
				    "is listed twice");
		k++;
	}
	if (r->err.ndetails > 0)
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	items = json_array();
	arena_defer(r->arena, (void (*)(void *))json_decref, items);
	for (i = 0; i < k; i++)
		json_array_append(items, seen[i]);
	if ((st = catalog_resource_services_put(&r->ctx, id, have, version, items, &out)) != ST_OK)
		return st;
	return admin_reply_row(r, w, 200, out);
}

static const struct route catalog_routes_v[] = {
	ADMIN_COLLECTION_ROUTES(services, SERVICES, RES_CATALOG),
	ADMIN_COLLECTION_ROUTES(addons, ADDONS, RES_CATALOG),
	ADMIN_COLLECTION_ROUTES(staff, STAFF, RES_STAFF),
	ADMIN_ROUTE(HTTP_GET, STAFF "/{id}/services", staff_services_get, RES_STAFF, VERB_READ),
	ADMIN_ROUTE(HTTP_PUT, STAFF "/{id}/services", staff_services_put, RES_STAFF, VERB_WRITE),
	ADMIN_ROUTE(HTTP_GET, STAFF "/{id}/schedule", staff_schedule_get, RES_STAFF, VERB_READ),
	ADMIN_ROUTE(HTTP_PUT, STAFF "/{id}/schedule", staff_schedule_put, RES_STAFF, VERB_WRITE),
	ADMIN_COLLECTION_ROUTES(time_off, TIME_OFF, RES_STAFF),
	ADMIN_COLLECTION_ROUTES(resources, RESOURCES, RES_STAFF),
	ADMIN_ROUTE(HTTP_GET, RESOURCES "/{id}/services", resource_services_get, RES_STAFF,
	    VERB_READ),
	ADMIN_ROUTE(HTTP_PUT, RESOURCES "/{id}/services", resource_services_put, RES_STAFF,
	    VERB_WRITE),
};
const struct route_table catalog_routes = TABLE_OF(catalog_routes_v);
