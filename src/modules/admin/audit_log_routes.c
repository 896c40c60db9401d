/* audit_log_routes.c — /v1/admin/audit-log: the tenant's audit log,
 * read-only, newest first, filterable by action, actor, target and time
 * (?from=…&to=…, half-open), served by the admin engine. */
#include "modules/admin/admin.h"

#define AUDIT_LOG "/v1/admin/audit-log"

static const char *const actor_types[] = { "user", "api_key", "service", "ai", "system",
	"platform", "webhook", NULL };

static const struct admin_field audit_fields[] = {
	{ .v = { .name = "actor_type", .type = JV_STRING, .choices = actor_types },
	  .type = ADM_TEXT, .flags = AF_READONLY | AF_FILTER },
	ADMIN_F_READONLY("actor_id", ADM_TEXT, AF_FILTER),
	ADMIN_F_READONLY("on_behalf_of", ADM_TEXT, AF_FILTER),
	ADMIN_F_READONLY("action", ADM_TEXT, AF_FILTER),
	ADMIN_F_READONLY("target_type", ADM_TEXT, AF_FILTER),
	ADMIN_F_READONLY("target_id", ADM_TEXT, AF_FILTER),
	ADMIN_F_READONLY("changes", ADM_JSON, 0),
	ADMIN_F_READONLY("request_id", ADM_TEXT, AF_FILTER),
};

static const struct admin_resource audit_log_res = {
	.name = "audit_log", .title = "audit entry", .path = AUDIT_LOG, .table = "audit_log",
	.fields = audit_fields, .nfields = ADMIN_NFIELDS(audit_fields),
	.flags = ADMIN_APPEND_ONLY, .default_sort = "-created_at", .range_field = "created_at",
};

static enum status
audit_list(struct request *r, struct response *w)
{
	return admin_list(&audit_log_res, r, w);
}

static enum status
audit_get(struct request *r, struct response *w)
{
	return admin_get(&audit_log_res, r, w);
}

static const struct route admin_routes_v[] = {
	ADMIN_ROUTE(HTTP_GET, AUDIT_LOG, audit_list, RES_AUDIT, VERB_READ),
	ADMIN_ROUTE(HTTP_GET, AUDIT_LOG "/{id}", audit_get, RES_AUDIT, VERB_READ),
};
const struct route_table admin_routes = TABLE_OF(admin_routes_v);
