/* push_routes.c — the admin app's Web Push endpoints: the VAPID public key
 * for PushManager.subscribe, and a signed-in user's subscriptions (the
 * browser's PushSubscription JSON). Parse, call, render. */
#include <string.h>

#include "core/crypto.h"
#include "modules/admin/admin.h"
#include "modules/auth/auth.h"
#include "modules/push/push.h"

#define PUSH_BASE "/v1/admin/push"

bool
push_endpoint_ok(const char *url, bool allow_http, const char **why)
{
	const char *host;
	size_t n = strlen(url);

	if (n > PUSH_ENDPOINT_MAX)
		return (*why = "must be at most 2048 characters"), false;
	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (allow_http && strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return (*why = "must be an https:// URL"), false;
	for (const char *c = url; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f || *c == '\\' ||
		    *c == '#' || *c == '"' || *c == '<' || *c == '>')
			return (*why = "must be a URL without spaces, fragments or odd characters"), false;
	n = strcspn(host, "/?");
	if (n == 0 || memchr(host, '@', n) != NULL || host[0] == ':' || host[0] == '.')
		return (*why = "must name a host (and no user information)"), false;
	return true;
}

/* A base64url key of exactly want bytes. */
static bool
key_ok(json_t *v, unsigned char *out, size_t want)
{
	const char *s = json_string_value(v);
	size_t n = 0;

	return s != NULL && strlen(s) <= 2 * want &&
	    sec_b64url_decode(s, strlen(s), out, want, &n) && n == want;
}

/* GET /v1/admin/push/public-key */
static enum status
public_key(struct request *r, struct response *w)
{
	const char *key;
	json_t *out;
	enum status st;

	if ((st = push_public_key(&r->ctx, &key)) != ST_OK)
		return st;
	out = json_pack("{s:s}", "public_key", key);
	return reply_json(r, w, 200, out);
}

/* POST /v1/admin/push/subscriptions
 * {"endpoint": "https://…", "keys": {"p256dh": "…", "auth": "…"},
 *  "expirationTime": null} */
static enum status
subscribe(struct request *r, struct response *w)
{
	struct push_subscription_in in = { 0 };
	json_t *body, *keys, *ep, *ua;
	const char *why = NULL;
	bool created = false;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	ep = json_object_get(body, "endpoint");
	keys = json_object_get(body, "keys");
	ua = json_object_get(body, "user_agent");
	if (!json_is_string(ep))
		err_detail(&r->err, "endpoint", "is required (a URL string)");
	else if (!push_endpoint_ok(json_string_value(ep), r->ctx.cfg->push_allow_http, &why))
		err_detail(&r->err, "endpoint", "%s", why);
	if (!json_is_object(keys)) {
		err_detail(&r->err, "keys", "is required: {\"p256dh\": …, \"auth\": …}");
	} else {
		if (!key_ok(json_object_get(keys, "p256dh"), in.p256dh, sizeof(in.p256dh)) ||
		    in.p256dh[0] != 0x04)
			err_detail(&r->err, "keys.p256dh",
			    "must be a base64url uncompressed P-256 public key (65 bytes)");
		if (!key_ok(json_object_get(keys, "auth"), in.auth, sizeof(in.auth)))
			err_detail(&r->err, "keys.auth", "must be a base64url 16-byte secret");
	}
	if (ua != NULL && !json_is_null(ua) && (!json_is_string(ua) ||
	    strlen(json_string_value(ua)) > 512))
		err_detail(&r->err, "user_agent", "must be a string of at most 512 characters");
	if (r->err.ndetails > 0)
		return err_set(&r->err, ST_INVALID, "This is not a valid push subscription.");
	in.endpoint = json_string_value(ep);
	in.user_agent = json_is_string(ua) ? json_string_value(ua) : NULL;
	if ((st = push_subscribe(&r->ctx, &in, &created)) != ST_OK)
		return st;
	return reply_json(r, w, created ? 201 : 200, json_pack("{s:s, s:b}", "endpoint",
	    in.endpoint, "subscribed", 1));
}

/* DELETE /v1/admin/push/subscriptions  {"endpoint": "…"} */
static enum status
unsubscribe(struct request *r, struct response *w)
{
	json_t *body, *ep;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK)
		return st;
	ep = json_object_get(body, "endpoint");
	if (!json_is_string(ep) || strlen(json_string_value(ep)) > PUSH_ENDPOINT_MAX) {
		err_detail(&r->err, "endpoint", "is required (the subscription's URL)");
		return err_set(&r->err, ST_INVALID, "Say which subscription to remove.");
	}
	if ((st = push_unsubscribe(&r->ctx, json_string_value(ep))) != ST_OK)
		return st;
	return reply_text(w, 204, NULL, "", 0);
}

/* Anyone who may see bookings may be told about them; the sender narrows
 * each notification to those the permission matrix lets see it. */
static const struct route push_routes_v[] = {
	ADMIN_ROUTE(HTTP_GET, PUSH_BASE "/public-key", public_key, RES_BOOKINGS, VERB_READ),
	ADMIN_ROUTE(HTTP_POST, PUSH_BASE "/subscriptions", subscribe, RES_BOOKINGS, VERB_READ),
	ADMIN_ROUTE(HTTP_DELETE, PUSH_BASE "/subscriptions", unsubscribe, RES_BOOKINGS, VERB_READ),
};
const struct route_table push_routes = TABLE_OF(push_routes_v);
