/* tenants_service.c — deciding which tenant a request is for, keeping the
 * cache fresh, and rendering the public profile. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "db/db.h"
#include "db/listen.h"
#include "modules/audit/audit.h"
#include "modules/tenants/tenants.h"
#include "modules/tenants/tenants_cache.h"
#include "modules/tenants/tenants_store.h"

bool
tenants_host_slug(const char *host, const char *platform_domain, char *slug,
    size_t slugsz)
{
	size_t hl = strlen(host), dl = strlen(platform_domain), sl;

	if (hl <= dl + 1 || host[hl - dl - 1] != '.' ||
	    strcmp(host + hl - dl, platform_domain) != 0)
		return false;
	sl = hl - dl - 1;
	if (sl == 0 || sl >= slugsz || sl > 63)
		return false;
	for (size_t i = 0; i < sl; i++) {
		unsigned char c = (unsigned char)host[i];

		/* One DNS label: "a.b.example.com" is not a tenant subdomain. */
		if (!(islower(c) || isdigit(c) || (c == '-' && i > 0 && i < sl - 1)))
			return false;
	}
	memcpy(slug, host, sl);
	slug[sl] = '\0';
	return true;
}

/* Looks key up in the cache, else asks the database. */
static enum status
lookup(struct request *r, const char *key, bool by_host, const char *arg,
    bool *found, struct tenant_ref *out)
{
	struct db_tx tx;
	uint64_t gen;
	enum status st;

	if (tcache_get_ref(key, found, out))
		return ST_OK;
	gen = tcache_generation();
	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	st = by_host ? tenants_store_resolve_host(&tx, arg, found, out)
	    : tenants_store_resolve_ref(&tx, arg, found, out);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	tcache_put_ref(key, *found, out, gen);
	return ST_OK;
}

static enum status
from_host(struct request *r, bool *found, struct tenant_ref *out)
{
	char slug[64];
	char *key;

	*found = false;
	if (r->host == NULL || r->host[0] == '\0')
		return ST_OK;
	if (tenants_host_slug(r->host, r->app->cfg.platform_domain, slug, sizeof(slug))) {
		key = arena_printf(r->arena, "r:%s", slug);
		return lookup(r, key, false, slug, found, out);
	}
	/* The platform's own host names carry no tenant. */
	if (strcmp(r->host, r->app->cfg.platform_domain) == 0)
		return ST_OK;
	if (strlen(r->host) > 253)
		return ST_OK;
	key = arena_printf(r->arena, "h:%s", r->host);
	return lookup(r, key, true, r->host, found, out);
}

static bool
ref_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return id_is_uuid(s);
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return id_is_uuid(s);
	return true;
}

enum status
tenants_resolve(struct request *r)
{
	struct tenant_ref host_ref, hdr_ref;
	bool host_found = false, hdr_found = false;
	const char *hdr = NULL;
	enum status st;

	if ((st = from_host(r, &host_found, &host_ref)) != ST_OK)
		return st;
	if (r->route->tenancy == TENANCY_HOST_OR_HEADER)
		hdr = http_header(r, "x-tenant-id");
	if (hdr != NULL) {
		if (!ref_ok(hdr)) {
			err_detail(&r->err, "X-Tenant-ID", "must be a tenant id or slug");
			return err_set(&r->err, ST_INVALID, "The X-Tenant-ID header is invalid.");
		}
		if ((st = lookup(r, arena_printf(r->arena, "r:%s", hdr), false, hdr,
		    &hdr_found, &hdr_ref)) != ST_OK)
			return st;
		if (!hdr_found)
			return err_set(&r->err, ST_NOTFOUND, "No business matches X-Tenant-ID.");
		if (host_found && strcmp(host_ref.id, hdr_ref.id) != 0)
			return err_set(&r->err, ST_INVALID,
			    "X-Tenant-ID names a different business than the host.");
		host_ref = hdr_ref;
		host_found = true;
	}
	if (!host_found || strcmp(host_ref.status, "deleted") == 0)
		return err_set(&r->err, ST_NOTFOUND, "No business is configured for this address.");
	if (strcmp(host_ref.status, "active") != 0)
		return err_set(&r->err, ST_FORBIDDEN, "This business is currently unavailable.");
	r->ctx.tenant = host_ref;
	r->ctx.has_tenant = true;
	return ST_OK;
}

/* GET /v1/public/tenant */
static enum status
public_tenant_route(struct request *r, struct response *w)
{
	const char *key = arena_printf(r->arena, "p:%s", r->ctx.tenant.id), *json;
	struct db_tx tx;
	uint64_t gen;
	enum status st;

	if ((json = tcache_text_get(key, r->arena, &gen)) == NULL) {
		if ((st = db_tx_begin(&tx, &r->ctx)) != ST_OK)
			return st;
		st = tenants_store_public_json(&tx, &json);
		if ((st = db_tx_end(&tx, st)) != ST_OK)
			return st;
		tcache_text_put(key, json, gen);
	}
	return reply_text(w, 200, "application/json; charset=utf-8", json, strlen(json));
}

const struct route tenants_routes[] = {
	{ HTTP_GET, "/v1/public/tenant", public_tenant_route, TENANCY_HOST_OR_HEADER, 0, NULL },
};
const size_t tenants_nroutes = sizeof(tenants_routes) / sizeof(tenants_routes[0]);

static void
on_tenant_changed(const char *channel, const char *payload, void *ud)
{
	(void)channel;
	(void)ud;
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
}

static struct db_listener *listener;

void
tenants_cache_start(struct app *app)
{
	static const char *const channels[] = { "tenant_changed", NULL };

	tcache_init(app->cfg.tenant_cache_ttl_s);
	listener = db_listen_start(app->cfg.database_url, channels, on_tenant_changed,
	    on_listener_reconnect, NULL);
}

void
tenants_cache_stop(void)
{
	db_listen_stop(listener);
	listener = NULL;
	tcache_clear();
}

enum status
tenants_create(struct db_tx *tx, const struct tenant_new *in, char out_id[UUID_STR_LEN + 1])
{
	struct audit_actor who = { "platform", "cli", NULL, NULL };
	const char *p[1] = { out_id };
	enum status st;

	id_uuid_v4(out_id);
	/* The new tenant's rows must pass its own RLS policy. */
	if (db_exec(tx, "SELECT set_config('app.tenant_id', $1, true)", 1, p) == NULL)
		return db_status(tx);
	if ((st = tenants_store_insert(tx, in, out_id)) != ST_OK)
		return st;
	return audit_record(tx, &who, "tenant.created", "tenant", out_id,
	    json_pack("{s:s, s:s}", "slug", in->slug, "plan", in->plan));
}
