/* sms_routes.c — the sms module's HTTP edge: each route parses and
 * validates, calls one service and renders.
 *
 *  GET    /v1/admin/sms/settings       the tenant's SMS settings (never the token)
 *  PUT    /v1/admin/sms/settings       set them (owner/admin: RES_CHANNELS write)
 *  DELETE /v1/admin/sms/settings       back to the platform's account
 *  POST   /v1/webhooks/twilio/status   delivery status callbacks (signed)
 *  POST   /v1/webhooks/twilio/sms      inbound texts (signed) → TwiML
 * and, with ENABLE_TEST_ROUTES only, POST /v1/test/sms/send (sms_deliver
 * as the send job calls it) and POST /v1/test/sms/usage. */
#include <string.h>

#include "core/jsonv.h"
#include "modules/auth/auth.h"
#include "modules/billing/billing.h"
#include "modules/sms/sms_internal.h"

static bool
account_sid_ok(const char *s)
{
	if (strlen(s) != 34 || strncmp(s, "AC", 2) != 0)
		return false;
	return strspn(s + 2, "0123456789abcdefABCDEF") == 32;
}

static bool
service_sid_ok(const char *s)
{
	return strlen(s) == 34 && strncmp(s, "MG", 2) == 0 &&
	    strspn(s + 2, "0123456789abcdefABCDEF") == 32;
}

static bool
token_ok(const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

static const char *
opt_string(json_t *body, const char *name)
{
	return json_string_value(json_object_get(body, name));
}

static enum status
reply_settings(struct request *r, struct response *w, int code, json_t *settings)
{
	response_header(w, "cache-control", "no-store");
	return reply_json(r, w, code, json_incref(settings));
}

/* GET /v1/admin/sms/settings */
static enum status
settings_get(struct request *r, struct response *w)
{
	json_t *out;
	enum status st;

	if ((st = sms_settings_get(&r->ctx, &out)) != ST_OK)
		return st;
	return reply_settings(r, w, 200, out);
}

/* PUT /v1/admin/sms/settings */
static enum status
settings_put(struct request *r, struct response *w)
{
	static const struct jv_field f[] = {
		{ "account_sid", JV_STRING, false, true, 34, 34, NULL, account_sid_ok,
		    "a Twilio Account SID (AC followed by 32 hex digits)" },
		{ "auth_token", JV_STRING, false, false, 16, 128, NULL, token_ok,
		    "a Twilio auth token" },
		{ "messaging_service_sid", JV_STRING, false, true, 34, 34, NULL, service_sid_ok,
		    "a Messaging Service SID (MG followed by 32 hex digits)" },
		{ "from_number", JV_STRING, false, true, 8, 16, NULL, addr_e164_ok,
		    "a phone number in E.164 form (+15551234567)" },
		{ "inbound_number", JV_STRING, false, true, 8, 16, NULL, addr_e164_ok,
		    "a phone number in E.164 form (+15551234567)" },
	};
	struct sms_settings_in in;
	enum plan_tier tier;
	json_t *body, *out;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK || (st = jv_validate(body, f, 5, &r->err)))
		return st;
	if (!plan_parse(r->ctx.tenant.plan, &tier))
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	if ((st = plan_require(tier, FEAT_SMS, &r->err)) != ST_OK)
		return st;
	memset(&in, 0, sizeof(in));
	in.has_account_sid = json_object_get(body, "account_sid") != NULL;
	in.account_sid = opt_string(body, "account_sid");
	in.auth_token = opt_string(body, "auth_token");
	in.messaging_service_sid = opt_string(body, "messaging_service_sid");
	in.from_number = opt_string(body, "from_number");
	in.inbound_number = opt_string(body, "inbound_number");
	if ((st = sms_settings_put(&r->ctx, &in, &out)) != ST_OK)
		return st;
	return reply_settings(r, w, 200, out);
}

/* DELETE /v1/admin/sms/settings */
static enum status
settings_delete(struct request *r, struct response *w)
{
	enum status st;

	if ((st = sms_settings_delete(&r->ctx)) != ST_OK)
		return st;
	return reply_text(w, 204, NULL, "", 0);
}

/* The URL Twilio requested, as it signed it: our public base, the path
 * and the query string. */
static const char *
requested_url(struct request *r)
{
	return sms_public_url(&r->ctx, r->query != NULL ? arena_printf(r->arena, "%s?%s",
	    r->path, r->query) : r->path);
}

/* POST /v1/webhooks/twilio/status */
static enum status
status_webhook(struct request *r, struct response *w)
{
	enum status st;

	if ((st = sms_status_callback(&r->ctx, requested_url(r), http_header(r,
	    "x-twilio-signature"), r->body ? r->body : "", r->body_len, http_query(r, "tenant"))) !=
	    ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:b}", "received", 1));
}

/* POST /v1/webhooks/twilio/sms */
static enum status
inbound_webhook(struct request *r, struct response *w)
{
	const char *twiml;
	enum status st;

	if ((st = sms_inbound(&r->ctx, requested_url(r), http_header(r, "x-twilio-signature"),
	    r->body ? r->body : "", r->body_len, &twiml)) != ST_OK)
		return st;
	return reply_text(w, 200, "text/xml; charset=utf-8", twiml, strlen(twiml));
}

/* Test routes ------------------------------------------------------------------------ */

static const char *const outcome_names[] = {
	[SMS_SENT] = "sent", [SMS_SUPPRESSED] = "suppressed", [SMS_RETRY] = "retry",
	[SMS_FAILED] = "failed", [SMS_UNCONFIGURED] = "unconfigured",
};

/* POST /v1/test/sms/send {to, body} — sms_deliver as the send job calls it. */
static enum status
test_send(struct request *r, struct response *w)
{
	static const struct jv_field f[] = {
		{ "to", JV_STRING, true, false, 1, 64, NULL, NULL, NULL },
		{ "body", JV_STRING, true, false, 0, 4000, NULL, NULL, NULL },
	};
	struct sms_result res;
	json_t *body;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK || (st = jv_validate(body, f, 2, &r->err)))
		return st;
	if ((st = sms_deliver(&r->ctx, opt_string(body, "to"), opt_string(body, "body"), &res)) !=
	    ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:s, s:s?, s:i, s:s?}", "outcome",
	    outcome_names[res.outcome], "provider_id", res.provider_id, "segments", res.segments,
	    "why", res.why));
}

/* POST /v1/test/sms/usage {sent} — this month's count, to reach the limit. */
static enum status
test_usage(struct request *r, struct response *w)
{
	static const struct jv_field f[] = {
		{ "sent", JV_INT, true, false, 0, 1000000, NULL, NULL, NULL },
	};
	json_t *body;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK || (st = jv_validate(body, f, 1, &r->err)))
		return st;
	if ((st = sms_test_usage_set(&r->ctx, (long)json_integer_value(json_object_get(body,
	    "sent")))) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:b}", "ok", 1));
}

static const struct route sms_routes_v[] = {
	{ HTTP_GET | HTTP_HEAD, "/v1/admin/sms/settings", settings_get, TENANCY_HOST_OR_HEADER,
	  PERM(RES_CHANNELS, VERB_READ), NULL },
	{ HTTP_PUT, "/v1/admin/sms/settings", settings_put, TENANCY_HOST_OR_HEADER,
	  PERM(RES_CHANNELS, VERB_WRITE), NULL },
	{ HTTP_DELETE, "/v1/admin/sms/settings", settings_delete, TENANCY_HOST_OR_HEADER,
	  PERM(RES_CHANNELS, VERB_WRITE), NULL },
	{ HTTP_POST, "/v1/webhooks/twilio/status", status_webhook, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/webhooks/twilio/sms", inbound_webhook, TENANCY_NONE, 0, NULL },
};
const struct route_table sms_routes = TABLE_OF(sms_routes_v);

static const struct route sms_test_routes_v[] = {
	{ HTTP_POST, "/v1/test/sms/send", test_send, TENANCY_HOST_OR_HEADER, 0, NULL },
	{ HTTP_POST, "/v1/test/sms/usage", test_usage, TENANCY_HOST_OR_HEADER, 0, NULL },
};
const struct route_table sms_test_routes = TABLE_OF(sms_test_routes_v);
