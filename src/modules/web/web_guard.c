/* web_guard.c — what another site's page may do with a tenant's API.
 *
 * Browsers name the page's origin on every cross-site request. The chat
 * API (under /v1/chat/) and the public API's writes answer only origins the
 * tenant listed (widget origins) or the tenant's own host names (its
 * portal); any other origin gets 403 and no CORS headers, so its page
 * learns nothing. Requests without Origin are not from a page and are left
 * to the API's own rules. Preflights are answered here, since the
 * routes themselves only know their real method.
 *
 * The chat API is also rate limited per IP (and tenant), per chat session
 * and, for new conversations, per IP per hour, with a cap on body size:
 * it starts model calls, which cost the tenant money. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "http/ratelimit.h"
#include "http/router.h"
#include "modules/billing/billing.h"
#include "modules/web/web_internal.h"

#define ORIGIN_MAX 300

static struct ratelimit *rl;



void
web_guard_init(struct app *app)
{
	if (rl == NULL)
		rl = ratelimit_new(app->cfg.redis_url, 0);
}

static bool
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "HTTPS://Shop.Example:443" → "https://shop.example"; NULL when o is not
 * scheme://host[:port] (a path, "null", credentials, odd bytes). */
static char *
origin_norm(struct arena *a, const char *o, const char **host_out, size_t *host_len)
{
	size_t n = strlen(o), hl, sl;
	const char *h, *colon;
	bool https;
	char *out;
	long port = 0;

	if (n == 0 || n > ORIGIN_MAX)
		return NULL;
	if (strncasecmp(o, "https://", 8) == 0)
		https = true;
	else if (strncasecmp(o, "http://", 7) == 0)
		https = false;
	else
		return NULL;
	sl = https ? 8 : 7;
	h = o + sl;
	colon = strchr(h, ':');
	hl = colon ? (size_t)(colon - h) : strlen(h);
	if (hl == 0)
		return NULL;
	for (size_t i = 0; i < hl; i++)
		if (!isalnum((unsigned char)h[i]) && h[i] != '.' && h[i] != '-')
			return NULL;
	if (colon != NULL) {
		const char *p = colon + 1;

		if (*p == '\0' || strlen(p) > 5)
			return NULL;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p))
				return NULL;
			port = port * 10 + (*p - '0');
		}
		if (port < 1 || port > 65535)
			return NULL;
		if (port == (https ? 443 : 80))
			port = 0;
	}
	out = port ? arena_printf(a, "%s%.*s:%ld", https ? "https://" : "http://", (int)hl, h, port)
	    : arena_printf(a, "%s%.*s", https ? "https://" : "http://", (int)hl, h);
	for (char *c = out; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	*host_out = out + sl;
	*host_len = hl;
	return out;
}

enum status
web_origin_allowed(struct request *r, const char *origin, bool *ok, const char **norm)
{
	const char *host, *lines, *p;
	size_t host_len, n;
	enum status st;

	*ok = false;
	if ((*norm = origin_norm(r->arena, origin, &host, &host_len)) == NULL)
		return ST_OK;
	/* The tenant's own pages (its subdomain, its verified domains):
	 * the request came to this very host name. */
	if (r->host != NULL && strlen(r->host) == host_len &&
	    strncmp(r->host, host, host_len) == 0) {
		*ok = true;
		return ST_OK;
	}
	if ((st = web_widget_origins(&r->ctx, &lines)) != ST_OK)
		return st;
	n = strlen(*norm);
	for (p = lines; *p; ) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *eh;
		size_t ehl;
		char *e = origin_norm(r->arena, arena_strndup(r->arena, p, len), &eh, &ehl);

		if (e != NULL && strlen(e) == n && memcmp(e, *norm, n) == 0) {
			*ok = true;
			break;
		}
		p = nl ? nl + 1 : p + len;
	}
	return ST_OK;
}

enum status
web_resolve_tenant(struct request *r, enum route_tenancy t)
{
	static const struct route as_host = { .tenancy = TENANCY_HOST };
	static const struct route as_header = { .tenancy = TENANCY_HOST_OR_HEADER };
	const struct route *saved = r->route;
	const char *q;
	enum status st;

	if (t == TENANCY_HOST_OR_HEADER && http_header(r, "x-tenant-id") == NULL &&
	    (q = http_query(r, "tenant")) != NULL && *q != '\0') {
		struct http_header *hs = arena_calloc(r->arena, r->nheaders + 1, sizeof(*hs));

		memcpy(hs, r->headers, r->nheaders * sizeof(*hs));
		hs[r->nheaders].name = "x-tenant-id";
		hs[r->nheaders].value = q;
		hs[r->nheaders].value_len = strlen(q);
		r->headers = hs;
		r->nheaders++;
	}
	r->route = t == TENANCY_HOST ? &as_host : &as_header;
	st = r->app->resolve_tenant(r);
	r->route = saved;
	return st;
}

/* ---- rate limits -------------------------------------------------------- */

static enum status
limit(struct request *r, const char *key, int max, int window_s, const char *msg)
{
	int retry = 0;

	if (max <= 0 || ratelimit_hit(rl, key, max, window_s, &retry))
		return ST_OK;
	r->err.retry_after = retry > 0 ? retry : 1;
	return err_set(&r->err, ST_RATE_LIMITED, "%s", msg);
}

/* The chat session a turn belongs to, from the body (the handler checks
 * the body properly; here only its session_id matters). */
static const char *
session_of(struct request *r)
{
	json_t *o, *v;
	const char *s = NULL;

	if (r->body_len == 0 || (o = json_loadb(r->body, r->body_len, 0, NULL)) == NULL)
		return NULL;
	v = json_object_get(o, "session_id");
	if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= 128)
		s = arena_strdup(r->arena, json_string_value(v));
	json_decref(o);
	return s;
}

static enum status
chat_limits(struct request *r)
{
	const struct config *c = &r->app->cfg;
	const char *ip = r->remote_addr ? r->remote_addr : "";
	const char *sid;
	enum status st;

	if (r->body_len > (size_t)c->chat_max_body_bytes)
		return err_set(&r->err, ST_TOO_LARGE, "Messages are limited to %d bytes.",
		    c->chat_max_body_bytes);
	if ((st = limit(r, arena_printf(r->arena, "chat:ip:%s:%s", r->ctx.tenant.id, ip),
	    c->chat_rate_ip_per_min, 60,
	    "You are sending messages too quickly. Please wait a moment.")) != ST_OK)
		return st;
	if (r->method == HTTP_POST && strcmp(r->path, "/v1/chat/session") == 0)
		return limit(r, arena_printf(r->arena, "chat:new:%s:%s", r->ctx.tenant.id, ip),
		    c->chat_new_per_hour, 3600,
		    "Too many new conversations from your network. Please try again later.");
	if (r->method == HTTP_POST && (sid = session_of(r)) != NULL)
		return limit(r, arena_printf(r->arena, "chat:s:%s:%s", r->ctx.tenant.id, sid),
		    c->chat_rate_session_per_min, 60,
		    "You are sending messages too quickly. Please wait a moment.");
	return ST_OK;
}

/* ---- the hooks ------------------------------------------------------------ */

enum status
web_browser_guard(struct request *r)
{
	const char *origin, *norm;
	bool chat, write, ok;
	enum status st;

	if (!r->ctx.has_tenant)
		return ST_OK;
	chat = has_prefix(r->path, "/v1/chat/");
	if (!chat && !has_prefix(r->path, "/v1/public/"))
		return ST_OK;
	write = (r->method & (HTTP_GET | HTTP_HEAD)) == 0;
	if ((origin = http_header(r, "origin")) != NULL) {
		if ((st = web_origin_allowed(r, origin, &ok, &norm)) != ST_OK)
			return st;
		if (ok)
			r->cors_origin = norm;
		else if (chat || write)
			return err_set(&r->err, ST_FORBIDDEN,
			    "This website is not allowed to use this service.");
	}
	return chat ? chat_limits(r) : ST_OK;
}

/* Headers a page of an allowed site may send (beyond the safelisted). */
static bool
request_headers_ok(struct request *r, const char *list)
{
	static const char *const ok[] = { "content-type", "x-tenant-id", "idempotency-key",
		"x-request-id", "last-event-id", NULL };
	const char *p = list;

	while (*p) {
		size_t n;
		bool found = false;

		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, ", ");
		if (n == 0)
			break;
		for (size_t i = 0; ok[i] != NULL && !found; i++)
			found = strlen(ok[i]) == n && strncasecmp(ok[i], p, n) == 0;
		if (!found)
			return false;
		p += n;
	}
	(void)r;
	return true;
}

static enum status
refuse(struct request *r)
{
	err_clear(&r->err);
	return err_set(&r->err, ST_FORBIDDEN, "This website is not allowed to use this service.");
}

enum status
web_preflight(struct request *r, struct response *w)
{
	const char *origin = http_header(r, "origin");
	const char *m = http_header(r, "access-control-request-method");
	const char *hdrs = http_header(r, "access-control-request-headers");
	enum http_method method = http_method_parse(m, strlen(m));
	const char *norm;
	unsigned allow = 0;
	bool ok = false;
	enum status st;

	if (origin == NULL || method == 0 || method == HTTP_OPTIONS ||
	    router_match(&r->app->router, r->arena, method, r->path, r, &allow) != ST_OK ||
	    (!has_prefix(r->path, "/v1/chat/") && !has_prefix(r->path, "/v1/public/")) ||
	    r->route->tenancy == TENANCY_NONE)
		return refuse(r);
	if (web_resolve_tenant(r, r->route->tenancy) != ST_OK)
		return refuse(r);
	if ((st = web_origin_allowed(r, origin, &ok, &norm)) != ST_OK)
		return st;
	if (!ok || (hdrs != NULL && !request_headers_ok(r, hdrs)))
		return refuse(r);
	response_header(w, "access-control-allow-origin", norm);
	response_header(w, "access-control-allow-methods", "GET, POST");
	response_header(w, "access-control-allow-headers",
	    "content-type, x-tenant-id, idempotency-key, x-request-id, last-event-id");
	response_header(w, "access-control-max-age", "600");
	response_header(w, "vary", "Origin");
	return reply_text(w, 204, NULL, "", 0);
}

/* GET /widget/config — what the loader needs to draw the launcher, and
 * whether this site may use the chat at all. A simple request (no custom
 * headers, so no preflight), so the tenant may come as ?tenant=; its
 * answer is readable by the asking page even when it is a refusal, so the
 * widget can say why it will not open. Only the refusal itself is told.
 * api_host is the tenant's own host, where a widget loaded from the
 * platform host (data-tenant) sends its chat: those routes know the tenant
 * by host only. */
enum status
web_widget_config_route(struct request *r, struct response *w)
{
	const char *origin = http_header(r, "origin"), *norm = NULL, *host, *slug;
	json_t *t, *b, *chat, *out;
	enum plan_tier tier = PLAN_FREE;
	size_t hl;
	bool ok = true;
	enum status st;

	if (origin != NULL && (norm = origin_norm(r->arena, origin, &host, &hl)) != NULL)
		r->cors_origin = norm;
	if ((st = web_resolve_tenant(r, TENANCY_HOST_OR_HEADER)) != ST_OK)
		return st;
	if (origin != NULL && (st = web_origin_allowed(r, origin, &ok, &norm)) != ST_OK)
		return st;
	if (!ok)
		return err_set(&r->err, ST_FORBIDDEN,
		    "This chat is not enabled for this website.");
	if ((st = web_tenant_json(r, &t)) != ST_OK)
		return st;
	(void)plan_parse(r->ctx.tenant.plan, &tier);
	b = json_object_get(t, "branding");
	chat = json_object_get(t, "chat");
	slug = json_string_value(json_object_get(t, "slug"));
	out = json_pack("{s:s?, s:s, s:O?, s:O?, s:O?, s:O?, s:b, s:b, s:O?, s:s?}",
	    "slug", slug,
	    "api_host", arena_printf(r->arena, "%s.%s", slug ? slug : "",
	    r->app->cfg.platform_domain),
	    "name", json_object_get(b, "display_name"),
	    "primary_color", json_object_get(b, "primary_color"),
	    "accent_color", json_object_get(b, "accent_color"),
	    "logo_url", json_object_get(b, "logo_url"),
	    "chat_enabled", plan_has(tier, FEAT_WEB_CHAT),
	    "handoff", json_is_true(json_object_get(chat, "handoff")),
	    "greeting", json_object_get(chat, "greeting"),
	    "powered_by", plan_has(tier, FEAT_REMOVE_PLATFORM_BRANDING) ? NULL
	    : r->app->cfg.platform_name);
	if (r->cors_origin != NULL) {
		response_header(w, "access-control-allow-origin", r->cors_origin);
		response_header(w, "vary", "Origin");
	}
	response_header(w, "cache-control", "no-cache");
	return reply_json(r, w, 200, out);
}
