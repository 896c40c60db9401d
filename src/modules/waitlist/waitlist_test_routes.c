/* waitlist_test_routes.c — ends the open turns now, mounted only with
 * ENABLE_TEST_ROUTES=true: tests say "the half hour is up" instead of
 * waiting for it. Never enabled in production. */
#include "http/http.h"
#include "modules/waitlist/waitlist.h"
#include "modules/waitlist/waitlist_service.h"

/* POST /v1/test/waitlist/expire — for the request's tenant. */
static enum status
expire_route(struct request *r, struct response *w)
{
	size_t offered = 0;
	enum status st;

	if ((st = wl_expire_now(&r->ctx, &offered)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:I}", "offered", (json_int_t)offered));
}

static const struct route waitlist_test_routes_v[] = {
	{ HTTP_POST, "/v1/test/waitlist/expire", expire_route, TENANCY_HOST_OR_HEADER, 0, NULL },
};
const struct route_table waitlist_test_routes = TABLE_OF(waitlist_test_routes_v);
