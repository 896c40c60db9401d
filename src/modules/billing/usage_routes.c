/* usage_routes.c — GET /v1/admin/usage/ai: the tenant's AI usage for a
 * month against its plan (messages used / limit / remaining, model calls
 * and tokens, split by provider and model). */
#include <stdio.h>
#include <string.h>

#include "modules/auth/auth.h"
#include "modules/billing/billing.h"

/* "2026-05" → "2026-05-01"; false when not a month. */
static bool
month_param(const char *s, char out[11])
{
	int y, m;
	char tail;

	if (s == NULL || strlen(s) != 7 || sscanf(s, "%4d-%2d%c", &y, &m, &tail) != 2 ||
	    s[4] != '-' || y < 2000 || y > 9999 || m < 1 || m > 12)
		return false;
	snprintf(out, 11, "%04d-%02d-01", y, m);
	return true;
}

/* GET /v1/admin/usage/ai[?month=YYYY-MM] (default: the current UTC month) */
static enum status
usage_ai_route(struct request *r, struct response *w)
{
	const char *q = http_query(r, "month");
	char month[11];
	json_t *out = NULL;
	enum status st;

	if (q != NULL && !month_param(q, month)) {
		err_detail(&r->err, "month", "must be a month such as 2026-05");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	if ((st = billing_usage_report(&r->ctx, q != NULL ? month : NULL, &out)) != ST_OK)
		return st;
	return reply_json(r, w, 200, out);
}

static const struct route usage_routes_v[] = {
	{ HTTP_GET, "/v1/admin/usage/ai", usage_ai_route, TENANCY_HOST_OR_HEADER,
	    PERM(RES_BILLING, VERB_READ), NULL },
};
const struct route_table usage_routes = TABLE_OF(usage_routes_v);
