/* tenants_routes.c — the tenants module at the HTTP edge: the tenant
 * resolution hook the HTTP layer calls (Host and X-Tenant-ID → a service),
 * GET /v1/public/tenant, and the cache's lifecycle for `serve`. */
#include <string.h>

#include "app.h"
#include "db/listen.h"
#include "modules/events/events.h"
#include "modules/tenants/tenants.h"
#include "modules/tenants/tenants_cache.h"

enum status
tenants_resolve(struct request *r)
{
	const char *hdr = NULL;
	enum status st;

	if (r->route->tenancy == TENANCY_HOST_OR_HEADER)
		hdr = http_header(r, "x-tenant-id");
	if ((st = tenants_lookup(&r->ctx, r->host, hdr, &r->ctx.tenant)) != ST_OK)
		return st;
	r->ctx.has_tenant = true;
	return ST_OK;
}

/* GET /v1/public/tenant */
static enum status
public_tenant_route(struct request *r, struct response *w)
{
	const char *json;
	enum status st;

	if ((st = tenants_public_profile(&r->ctx, &json)) != ST_OK)
		return st;
	return reply_text(w, 200, "application/json; charset=utf-8", json, strlen(json));
}

static const struct route tenants_routes_v[] = {
	{ HTTP_GET, "/v1/public/tenant", public_tenant_route, TENANCY_HOST_OR_HEADER, 0, NULL },
};
const struct route_table tenants_routes = TABLE_OF(tenants_routes_v);

/* Migration 0033's trigger on slot_claims. */
#define CLAIMS_CHANNEL "claims_changed"

static void
on_tenant_changed(const char *channel, const char *payload, void *ud)
{
	(void)ud;
	/* One listening session per process serves the live updates too. */
	if (strcmp(channel, EVENTS_CHANNEL) == 0) {
		if (payload != NULL)
			events_publish(payload);
		return;
	}
	/* A booking, hold or cancellation committed somewhere. */
	if (strcmp(channel, CLAIMS_CHANNEL) == 0) {
		if (payload != NULL && id_is_uuid(payload))
			tcache_claims_touch(payload);
		return;
	}
	if (payload != NULL && id_is_uuid(payload))
		tcache_invalidate(payload);
	else
		tcache_clear();
}

static void
on_listener_reconnect(void *ud)
{
	(void)ud;
	/* Notifications sent while disconnected are lost. */
	tcache_clear();
	events_resync();
}

static struct db_listener *listener;

void
tenants_cache_start(struct app *app)
{
	static const char *const channels[] = { "tenant_changed", EVENTS_CHANNEL, CLAIMS_CHANNEL,
		NULL };

	tcache_init(app->cfg.tenant_cache_ttl_s);
	listener = db_listen_start(app->cfg.database_listen_url, channels, on_tenant_changed,
	    on_listener_reconnect, NULL);
}

void
tenants_cache_stop(void)
{
	db_listen_stop(listener);
	listener = NULL;
	tcache_clear();
}
