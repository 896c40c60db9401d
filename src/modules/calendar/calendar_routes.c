/* calendar_routes.c — the calendar module's HTTP edge.
 *
 *  GET    /v1/admin/calendar/connections              list (never a secret)
 *  POST   /v1/admin/calendar/google/authorize         → {authorize_url}
 *  GET    /v1/calendar/google/callback?code&state     OAuth redirect target
 *  POST   /v1/admin/calendar/calcom                   connect a Cal.com key
 *  DELETE /v1/admin/calendar/connections/{id}         disconnect
 *  GET    /v1/admin/calendar/sync-status[?booking_id] sync state / failures
 *  POST   /v1/admin/calendar/bookings/{booking_id}/resync
 *  POST   /v1/webhooks/calcom?connection={id}         Cal.com deliveries
 * and, with ENABLE_TEST_ROUTES only, GET /v1/test/calendar/busy and POST
 * /v1/test/calendar/reconcile.
 *
 * Provider calls (token exchange, key validation, webhook registration)
 * happen between transactions, never inside one. Secrets are sealed before
 * they reach the store and never appear in a reply or a log line. */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "core/jsonv.h"
#include "core/log.h"
#include "db/jobs.h"
#include "modules/auth/auth.h"
#include "modules/auth/authz.h"
#include "modules/billing/plans.h"
#include "modules/calendar/calendar_internal.h"
#include "modules/calendar/calendar_secrets.h"

#define WEBHOOK_BODY_MAX (256 * 1024)
#define CALLBACK_PATH "/v1/calendar/google/callback"

static const char *
base_url(struct request *r)
{
	const char *b = r->app->cfg.public_base_url ? r->app->cfg.public_base_url
	    : "http://localhost:8080";
	size_t n = strlen(b);

	return n && b[n - 1] == '/' ? arena_printf(r->arena, "%.*s", (int)(n - 1), b) : b;
}

static const char *
redirect_uri(struct request *r)
{
	return arena_printf(r->arena, "%s%s", base_url(r), CALLBACK_PATH);
}

static enum status
require_plan(struct request *r)
{
	enum plan_tier tier;

	if (!plan_parse(r->ctx.tenant.plan, &tier))
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	return plan_require(tier, FEAT_CALENDAR_SYNC, &r->err);
}

static const char *
principal_user(const struct request *r)
{
	return r->ctx.principal != NULL && r->ctx.principal->kind == PRINCIPAL_USER && !r->ctx.principal->act_as
	    ? r->ctx.principal->id : NULL;
}

static enum status
tx_begin(struct request *r, struct db_tx *tx)
{
	return db_tx_begin(tx, &r->ctx);
}

static enum status
check_staff(struct request *r, const char *staff_id)
{
	struct db_tx tx;
	bool exists = false;
	enum status st;

	if (staff_id == NULL)
		return ST_OK;
	if ((st = tx_begin(r, &tx)) != ST_OK)
		return st;
	st = cal_store_staff_exists(&tx, staff_id, &exists);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!exists) {
		err_detail(&r->err, "staff_id", "no such staff member");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	return ST_OK;
}

static const char *
opt_string(json_t *body, const char *name)
{
	return json_string_value(json_object_get(body, name));
}

/* GET /v1/admin/calendar/connections ------------------------------------------------------ */

static enum status
connections_list(struct request *r, struct response *w)
{
	struct db_tx tx;
	json_t *items = NULL;
	enum status st;

	if ((st = tx_begin(r, &tx)) != ST_OK)
		return st;
	st = cal_store_connections_json(&tx, &items);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	/* Cal.com connections show the URL their webhook must post to. */
	{
		size_t i;
		json_t *c;

		json_array_foreach(items, i, c) {
			const char *p = json_string_value(json_object_get(c, "provider"));

			if (p != NULL && strcmp(p, "calcom") == 0)
				json_object_set_new(c, "webhook_url", json_string(arena_printf(r->arena,
				    "%s/v1/webhooks/calcom?connection=%s", base_url(r),
				    json_string_value(json_object_get(c, "id")))));
		}
	}
	return reply_json(r, w, 200, json_pack("{s:O, s:n}", "items", items, "next_cursor"));
}

/* POST /v1/admin/calendar/google/authorize ------------------------------------------------- */

static bool
calendar_id_ok(const char *s)
{
	return jv_no_controls(s) && strchr(s, '/') == NULL;
}

static enum status
google_authorize(struct request *r, struct response *w)
{
	static const struct jv_field f[] = {
		{ "staff_id", JV_STRING, false, true, 36, 36, NULL, id_is_uuid, "a staff id" },
		{ "calendar_id", JV_STRING, false, false, 1, 254, NULL, calendar_id_ok,
		    "a Google calendar id such as primary or name@example.com" },
	};
	unsigned char key[32];
	char nonce[SEC_TOKEN_CHARS + 1];
	const char *staff_id, *calendar_id, *state;
	long long expires = (long long)time(NULL) + CALENDAR_STATE_TTL_S;
	struct db_tx tx;
	json_t *body;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK || (st = jv_validate(body, f, 2, &r->err)))
		return st;
	if ((st = require_plan(r)) != ST_OK)
		return st;
	if (r->app->cfg.google_client_id == NULL || r->app->cfg.google_client_secret == NULL) {
		r->err.retry_after = 3600;
		return err_set(&r->err, ST_UNAVAILABLE,
		    "Google Calendar is not configured on this platform.");
	}
	staff_id = opt_string(body, "staff_id");
	calendar_id = opt_string(body, "calendar_id");
	if (calendar_id == NULL)
		calendar_id = "primary";
	if ((st = calendar_state_key(&r->app->cfg, key, &r->err)) != ST_OK)
		return st;
	calendar_random_b64url(32, nonce, sizeof(nonce));
	if ((st = tx_begin(r, &tx)) != ST_OK)
		return st;
	if (staff_id != NULL) {
		bool exists = false;

		if ((st = cal_store_staff_exists(&tx, staff_id, &exists)) == ST_OK && !exists) {
			err_detail(&r->err, "staff_id", "no such staff member");
			st = err_set(&r->err, ST_INVALID, "Some fields are invalid.");
		}
	}
	if (st == ST_OK)
		st = cal_store_state_put(&tx, calendar_sha256_bytea(r->arena, nonce),
		    principal_user(r), staff_id, calendar_id, CALENDAR_STATE_TTL_S);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	state = calendar_state_sign(r->arena, key, r->ctx.tenant.id, nonce, expires);
	response_header(w, "cache-control", "no-store");
	return reply_json(r, w, 200, json_pack("{s:s, s:s, s:s}",
	    "authorize_url", calendar_google_authorize_url(r->arena, &r->app->cfg, redirect_uri(r),
	        state),
	    "redirect_uri", redirect_uri(r),
	    "expires_at", calendar_time_format(r->arena, expires)));
}

/* GET /v1/calendar/google/callback ----------------------------------------------------------- */

static enum status
redirect_admin(struct request *r, struct response *w, const char *query)
{
	response_header(w, "location", arena_printf(r->arena, "%s/admin/calendar?%s", base_url(r),
	    query));
	/* The URL we came from holds a one-time code: keep it out of caches
	 * and Referer headers. */
	response_header(w, "cache-control", "no-store");
	response_header(w, "referrer-policy", "no-referrer");
	return reply_text(w, 302, "text/plain; charset=utf-8", "", 0);
}

static enum status
google_callback(struct request *r, struct response *w)
{
	const char *state = http_query(r, "state"), *code = http_query(r, "code");
	const char *denied = http_query(r, "error");
	const char *tenant_id, *nonce, *user_id = NULL, *staff_id = NULL, *calendar_id = NULL;
	const char *refresh, *conn_id = NULL;
	struct sec_sealed sealed;
	struct calendar_call call;
	struct calendar_conn probe;
	struct audit_actor who;
	unsigned char key[32];
	struct err e;
	struct db_tx tx;
	char tmp_id[UUID_STR_LEN + 1];
	bool found = false, created = false;
	enum status st;

	if ((st = calendar_state_key(&r->app->cfg, key, &r->err)) != ST_OK)
		return st;
	err_clear(&e);
	if (calendar_state_verify(r->arena, key, state, (long long)time(NULL), &tenant_id, &nonce,
	    &e) != ST_OK) {
		log_emit(LOG_WARN, "google oauth callback refused", json_pack("{s:s, s:s}",
		    "request_id", r->request_id, "reason", e.message));
		return err_set(&r->err, ST_INVALID,
		    "This Google authorisation is invalid or has expired; start again from the admin.");
	}
	/* Single use: the state row goes whatever happens next. */
	if ((st = db_tx_begin_as(&tx, &r->ctx, tenant_id)) != ST_OK)
		return st;
	st = cal_store_state_take(&tx, calendar_sha256_bytea(r->arena, nonce), &user_id, &staff_id,
	    &calendar_id, &found);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!found)
		return err_set(&r->err, ST_INVALID,
		    "This Google authorisation was already used or has expired; start again.");
	if (denied != NULL)
		return redirect_admin(r, w, "google=denied");
	if (code == NULL || code[0] == '\0' || strlen(code) > 2048)
		return err_set(&r->err, ST_INVALID, "The authorisation code is missing.");

	/* No transaction is open while Google answers. */
	calendar_call_init(&call, &r->ctx, r->arena, &e, tenant_id);
	st = calendar_google_exchange_code(&call, code, redirect_uri(r), &refresh);
	if (st == ST_OK) {
		id_uuid_v4(tmp_id);
		memset(&probe, 0, sizeof(probe));
		probe.tenant_id = tenant_id;
		probe.id = tmp_id;
		probe.provider = "google";
		probe.external_ref = calendar_id;
		probe.secret = refresh;
		st = calendar_google_provider.validate(&call, &probe);
		calendar_google_forget(tmp_id);
	}
	if (st != ST_OK) {
		log_emit(LOG_WARN, "google oauth exchange failed", json_pack("{s:s, s:s, s:s}",
		    "tenant_id", tenant_id, "status", status_code(st), "error", e.message));
		return redirect_admin(r, w, st == ST_NOTFOUND ? "google=error&reason=calendar_not_found"
		    : "google=error&reason=exchange_failed");
	}
	if ((st = calendar_secret_seal(&r->app->cfg, r->arena, refresh, &sealed, &r->err)) != ST_OK)
		return st;
	if ((st = db_tx_begin_as(&tx, &r->ctx, tenant_id)) != ST_OK)
		return st;
	st = cal_store_connection_put(&tx, "google", staff_id, calendar_id, sealed.ct, sealed.nonce,
	    sealed.key_id, NULL, NULL, NULL, user_id, NULL, &conn_id, &created);
	if (st == ST_OK) {
		who.type = user_id ? "user" : "system";
		who.id = user_id;
		who.on_behalf_of = NULL;
		who.request_id = r->request_id;
		st = audit_record(&tx, &who, created ? "calendar_connection.created"
		    : "calendar_connection.reconnected", "calendar_connection", conn_id,
		    json_pack("{s:s, s:s?, s:s}", "provider", "google", "staff_id", staff_id,
		    "calendar_id", calendar_id));
	}
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	calendar_google_forget(conn_id);
	return redirect_admin(r, w, arena_printf(r->arena, "google=connected&connection=%s",
	    conn_id));
}

/* POST /v1/admin/calendar/calcom ----------------------------------------------------------- */

static bool
api_key_ok(const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

static enum status
calcom_connect(struct request *r, struct response *w)
{
	static const struct jv_field f[] = {
		{ "api_key", JV_STRING, true, false, 8, 512, NULL, api_key_ok, "a Cal.com API key" },
		{ "event_type_id", JV_INT, true, false, 1, 999999999999LL, NULL, NULL, NULL },
		{ "staff_id", JV_STRING, false, true, 36, 36, NULL, id_is_uuid, "a staff id" },
		{ "webhook_secret", JV_STRING, false, false, 16, 256, NULL, api_key_ok,
		    "16 to 256 printable characters" },
	};
	const char *staff_id, *api_key, *secret, *conn_id = NULL, *webhook_url;
	char generated[SEC_TOKEN_CHARS + 1], new_id[UUID_STR_LEN + 1];
	struct sec_sealed key_sealed, wh_sealed;
	struct calendar_call call;
	struct calendar_conn probe;
	struct audit_actor who;
	struct db_tx tx;
	struct err e;
	json_t *body;
	bool created = false, registered = false;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK || (st = jv_validate(body, f, 4, &r->err)))
		return st;
	if ((st = require_plan(r)) != ST_OK)
		return st;
	staff_id = opt_string(body, "staff_id");
	api_key = opt_string(body, "api_key");
	secret = opt_string(body, "webhook_secret");
	if ((st = check_staff(r, staff_id)) != ST_OK)
		return st;
	/* The connection's id goes into the webhook URL, so it is known
	 * before the row is written: the live one of (calcom, staff), or a
	 * new one. */
	if ((st = tx_begin(r, &tx)) != ST_OK)
		return st;
	st = cal_store_connection_find(&tx, "calcom", staff_id, &conn_id);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	id_uuid_v4(new_id);
	if (conn_id == NULL)
		conn_id = new_id;
	webhook_url = arena_printf(r->arena, "%s/v1/webhooks/calcom?connection=%s", base_url(r),
	    conn_id);

	/* One call proves the key and the event type; no transaction is
	 * open while Cal.com answers. */
	err_clear(&e);
	memset(&probe, 0, sizeof(probe));
	probe.tenant_id = r->ctx.tenant.id;
	probe.id = conn_id;
	probe.provider = "calcom";
	probe.external_ref = arena_printf(r->arena, "%lld",
	    (long long)json_integer_value(json_object_get(body, "event_type_id")));
	probe.secret = api_key;
	calendar_call_init(&call, &r->ctx, r->arena, &e, r->ctx.tenant.id);
	if ((st = calendar_calcom_provider.validate(&call, &probe)) != ST_OK) {
		if (st == ST_UNAUTHENTICATED) {
			err_detail(&r->err, "api_key", "Cal.com did not accept this key");
			return err_set(&r->err, ST_INVALID, "Cal.com did not accept the API key.");
		}
		if (st == ST_NOTFOUND) {
			err_detail(&r->err, "event_type_id", "this key has no such event type");
			return err_set(&r->err, ST_INVALID, "Cal.com has no such event type for this key.");
		}
		if (st == ST_RATE_LIMITED)
			r->err.retry_after = call.retry_after_s > 0 ? call.retry_after_s : 60;
		return err_set(&r->err, st == ST_RATE_LIMITED ? ST_RATE_LIMITED : ST_UPSTREAM,
		    "Cal.com could not be reached to check the key; try again.");
	}
	/* Without a secret of the admin's, we make one and register our
	 * webhook with it ourselves. */
	if (secret == NULL) {
		calendar_random_b64url(32, generated, sizeof(generated));
		secret = generated;
		if (calendar_calcom_register_webhook(&call, &probe, webhook_url, secret) == ST_OK)
			registered = true;
		else
			log_emit(LOG_WARN, "cal.com webhook not registered", json_pack("{s:s, s:s}",
			    "tenant_id", r->ctx.tenant.id, "error", e.message));
	}
	if ((st = calendar_secret_seal(&r->app->cfg, r->arena, api_key, &key_sealed, &r->err)) != ST_OK ||
	    (st = calendar_secret_seal(&r->app->cfg, r->arena, secret, &wh_sealed, &r->err)) != ST_OK)
		return st;
	if ((st = tx_begin(r, &tx)) != ST_OK)
		return st;
	st = cal_store_connection_put(&tx, "calcom", staff_id, probe.external_ref, key_sealed.ct,
	    key_sealed.nonce, key_sealed.key_id, wh_sealed.ct, wh_sealed.nonce, wh_sealed.key_id,
	    principal_user(r), new_id, &conn_id, &created);
	if (st == ST_OK) {
		auth_actor(&r->ctx, &who);
		st = audit_record(&tx, &who, created ? "calendar_connection.created"
		    : "calendar_connection.reconnected", "calendar_connection", conn_id,
		    json_pack("{s:s, s:s?, s:s}", "provider", "calcom", "staff_id", staff_id,
		    "event_type_id", probe.external_ref));
	}
	if (st == ST_CONFLICT)
		err_set(&r->err, ST_CONFLICT, "Another Cal.com connection for this calendar was just"
		    " made; reload and try again.");
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	return reply_json(r, w, created ? 201 : 200, json_pack(
	    "{s:s, s:s, s:s?, s:I, s:s, s:n, s:b, s:s, s:b}",
	    "id", conn_id, "provider", "calcom", "staff_id", staff_id,
	    "event_type_id", (json_int_t)json_integer_value(json_object_get(body, "event_type_id")),
	    "status", "active", "last_error", "has_webhook_secret", 1,
	    "webhook_url", arena_printf(r->arena, "%s/v1/webhooks/calcom?connection=%s",
	        base_url(r), conn_id),
	    "webhook_registered", registered));
}

/* DELETE /v1/admin/calendar/connections/{id} -------------------------------------------------- */

static enum status
connection_delete(struct request *r, struct response *w)
{
	const char *id = http_param(r, "id");
	struct cal_conn_row row;
	struct audit_actor who;
	struct db_tx tx;
	enum status st;

	if (id == NULL || !id_is_uuid(id))
		return err_set(&r->err, ST_NOTFOUND, "No such calendar connection.");
	if ((st = tx_begin(r, &tx)) != ST_OK)
		return st;
	if ((st = cal_store_connection_get(&tx, id, true, &row)) == ST_OK &&
	    (st = cal_store_connection_delete(&tx, id)) == ST_OK) {
		auth_actor(&r->ctx, &who);
		st = audit_record(&tx, &who, "calendar_connection.deleted", "calendar_connection", id,
		    json_pack("{s:s, s:s?}", "provider", row.provider, "staff_id", row.staff_id));
	}
	if (st == ST_NOTFOUND)
		err_set(&r->err, ST_NOTFOUND, "No such calendar connection.");
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	calendar_google_forget(id);
	return reply_text(w, 204, NULL, "", 0);
}

/* GET /v1/admin/calendar/sync-status ------------------------------------------------------------ */

static enum status
sync_status(struct request *r, struct response *w)
{
	const char *booking_id = http_query(r, "booking_id");
	struct db_tx tx;
	json_t *items = NULL;
	enum status st;

	if (booking_id != NULL && !id_is_uuid(booking_id)) {
		err_detail(&r->err, "booking_id", "must be a booking id");
		return err_set(&r->err, ST_INVALID, "Some fields are invalid.");
	}
	if ((st = tx_begin(r, &tx)) != ST_OK)
		return st;
	st = cal_store_sync_status_json(&tx, booking_id, &items);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:O, s:n}", "items", items, "next_cursor"));
}

/* POST /v1/admin/calendar/bookings/{booking_id}/resync --------------------------------------------- */

static enum status
resync(struct request *r, struct response *w)
{
	const char *id = http_param(r, "booking_id");
	char nonce[SEC_TOKEN_CHARS + 1];
	struct audit_actor who;
	struct db_tx tx;
	bool exists = false;
	json_t *payload;
	enum status st;

	if (id == NULL || !id_is_uuid(id))
		return err_set(&r->err, ST_NOTFOUND, "No such booking.");
	calendar_random_b64url(12, nonce, sizeof(nonce));
	payload = json_pack("{s:s}", "booking_id", id);
	arena_defer(r->arena, (void (*)(void *))json_decref, payload);
	if ((st = tx_begin(r, &tx)) != ST_OK)
		return st;
	if ((st = cal_store_booking_exists(&tx, id, &exists)) == ST_OK && !exists)
		st = err_set(&r->err, ST_NOTFOUND, "No such booking.");
	if (st == ST_OK)
		st = jobs_enqueue(&tx, CALENDAR_SYNC_JOB, payload,
		    arena_printf(r->arena, "resync:%s:%s", id, nonce), 0, 5);
	if (st == ST_OK) {
		auth_actor(&r->ctx, &who);
		st = audit_record(&tx, &who, "booking.calendar_resync_requested", "booking", id, NULL);
	}
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	return reply_json(r, w, 202, json_pack("{s:s, s:b}", "booking_id", id, "queued", 1));
}

/* POST /v1/webhooks/calcom ------------------------------------------------------------------ */

static enum status
webhook_refused(struct request *r, const char *why)
{
	/* The log names the reason; the reply does not help a forger. */
	log_emit(LOG_WARN, "cal.com webhook refused", json_pack("{s:s, s:s}",
	    "request_id", r->request_id, "reason", why));
	return err_set(&r->err, ST_UNAUTHENTICATED, "The webhook signature is not valid.");
}

static enum status
calcom_webhook(struct request *r, struct response *w)
{
	const char *conn_param = http_query(r, "connection");
	const char *sig = http_header(r, "x-cal-signature-256");
	const char *tenant_id = NULL, *conn_id = NULL, *secret, *event_row = NULL;
	struct calendar_calcom_event ce;
	struct cal_conn_row row;
	unsigned char sha[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	json_t *body = NULL, *payload;
	struct db_tx tx;
	struct err e;
	bool inserted = false;
	enum status st = ST_OK;

	if (r->body_len > WEBHOOK_BODY_MAX)
		return err_set(&r->err, ST_TOO_LARGE, "The webhook body is too large.");
	if (sig == NULL || sig[0] == '\0')
		return webhook_refused(r, "no x-cal-signature-256 header");
	/* Before verification the body is only parsed, never trusted or
	 * stored: it may name the booking that tells us the tenant. */
	err_clear(&e);
	if (jv_parse_object(r->body, r->body_len, WEBHOOK_BODY_MAX, &body, &e) != ST_OK)
		body = NULL;
	else
		arena_defer(r->arena, (void (*)(void *))json_decref, body);

	if ((st = db_tx_begin_as(&tx, &r->ctx, NULL)) != ST_OK)
		return st;
	if (conn_param != NULL && id_is_uuid(conn_param)) {
		conn_id = conn_param;
		st = cal_store_webhook_tenant(&tx, conn_id, &tenant_id);
	} else if (body != NULL && calendar_calcom_event_parse(body, &ce) == ST_OK &&
	    ce.uid != NULL && strlen(ce.uid) <= 1024) {
		st = cal_store_webhook_by_uid(&tx, ce.uid, &tenant_id, &conn_id);
	}
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (tenant_id == NULL || conn_id == NULL)
		return webhook_refused(r, "no connection for this webhook");

	if ((st = db_tx_begin_as(&tx, &r->ctx, tenant_id)) != ST_OK)
		return st;
	st = cal_store_connection_get(&tx, conn_id, true, &row);
	if ((st = db_tx_end(&tx, st)) == ST_NOTFOUND || (st == ST_OK && row.webhook_ct == NULL))
		return webhook_refused(r, "the connection has no webhook secret");
	if (st != ST_OK)
		return st;
	if ((st = calendar_secret_open(&r->app->cfg, r->arena, row.webhook_ct, row.webhook_nonce,
	    row.webhook_key_id, &secret, &r->err)) != ST_OK)
		return st;
	if (!calendar_calcom_signature_ok(secret, r->body, r->body_len, sig))
		return webhook_refused(r, "signature mismatch");

	if (body == NULL || calendar_calcom_event_parse(body, &ce) != ST_OK)
		return err_set(&r->err, ST_INVALID, "The body is not a Cal.com webhook delivery.");
	/* A redelivery is byte-identical, so the body's hash is the event's
	 * idempotency key. */
	SHA256((const unsigned char *)r->body, r->body_len, sha);
	for (size_t i = 0; i < sizeof(sha); i++)
		snprintf(hex + 2 * i, 3, "%02x", sha[i]);
	payload = json_pack("{s:s, s:s}", "connection_id", conn_id, "event_id", "");
	arena_defer(r->arena, (void (*)(void *))json_decref, payload);
	if ((st = db_tx_begin_as(&tx, &r->ctx, tenant_id)) != ST_OK)
		return st;
	st = cal_store_webhook_ingest(&tx, arena_printf(r->arena, "sha256:%s", hex),
	    arena_printf(r->arena, "%.255s", ce.trigger),
	    arena_printf(r->arena, "\\x%s", hex), arena_strndup(r->arena, r->body, r->body_len),
	    &event_row, &inserted);
	if (st == ST_OK && inserted) {
		json_object_set_new(payload, "event_id", json_integer(strtoll(event_row, NULL, 10)));
		st = jobs_enqueue(&tx, "calendar.webhook", payload,
		    arena_printf(r->arena, "calcom:%s", event_row), 0, 5);
	}
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:b, s:b}", "received", 1, "duplicate", !inserted));
}

/* Test routes ----------------------------------------------------------------------------- */

/* GET /v1/test/calendar/busy?staff_id=a,b&from=…&to=… — calendar_busy()
 * as availability calls it. */
static enum status
test_busy(struct request *r, struct response *w)
{
	const char *list = http_query(r, "staff_id");
	const char *ids[16];
	size_t n = 0;
	int64_t from, to;
	struct calendar_busy busy;
	json_t *items;
	enum status st;

	if (list == NULL || !calendar_time_parse(http_query(r, "from"), &from) ||
	    !calendar_time_parse(http_query(r, "to"), &to))
		return err_set(&r->err, ST_INVALID, "staff_id, from and to are required.");
	for (char *s = arena_strdup(r->arena, list), *save = NULL, *t = strtok_r(s, ",", &save);
	    t != NULL && n < 16; t = strtok_r(NULL, ",", &save))
		ids[n++] = t;
	if ((st = calendar_busy(&r->ctx, r->arena, r->ctx.tenant.id, ids, n, from, to, &busy)) != ST_OK)
		return st;
	items = json_array();
	for (size_t i = 0; i < busy.n; i++)
		json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "staff_id",
		    busy.ranges[i].staff_id, "start", calendar_time_format(r->arena,
		    busy.ranges[i].start), "end", calendar_time_format(r->arena, busy.ranges[i].end)));
	return reply_json(r, w, 200, json_pack("{s:o}", "items", items));
}

/* POST /v1/test/calendar/reconcile — runs the tenant's reconciliation now. */
static enum status
test_reconcile(struct request *r, struct response *w)
{
	char nonce[SEC_TOKEN_CHARS + 1];
	struct db_tx tx;
	enum status st;

	calendar_random_b64url(12, nonce, sizeof(nonce));
	if ((st = tx_begin(r, &tx)) != ST_OK)
		return st;
	st = jobs_enqueue(&tx, "calendar.reconcile_tenant", NULL,
	    arena_printf(r->arena, "test:%s", nonce), 0, 1);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	return reply_json(r, w, 202, json_pack("{s:b}", "queued", 1));
}

const struct route calendar_routes[] = {
	{ HTTP_GET | HTTP_HEAD, "/v1/admin/calendar/connections", connections_list,
	  TENANCY_HOST_OR_HEADER, PERM(RES_CHANNELS, VERB_READ), NULL },
	{ HTTP_DELETE, "/v1/admin/calendar/connections/{id}", connection_delete,
	  TENANCY_HOST_OR_HEADER, PERM(RES_CHANNELS, VERB_WRITE), NULL },
	{ HTTP_POST, "/v1/admin/calendar/google/authorize", google_authorize,
	  TENANCY_HOST_OR_HEADER, PERM(RES_CHANNELS, VERB_WRITE), NULL },
	{ HTTP_GET, CALLBACK_PATH, google_callback, TENANCY_NONE, 0, NULL },
	{ HTTP_POST, "/v1/admin/calendar/calcom", calcom_connect,
	  TENANCY_HOST_OR_HEADER, PERM(RES_CHANNELS, VERB_WRITE), NULL },
	{ HTTP_GET | HTTP_HEAD, "/v1/admin/calendar/sync-status", sync_status,
	  TENANCY_HOST_OR_HEADER, PERM(RES_CHANNELS, VERB_READ), NULL },
	{ HTTP_POST, "/v1/admin/calendar/bookings/{booking_id}/resync", resync,
	  TENANCY_HOST_OR_HEADER, PERM(RES_CHANNELS, VERB_WRITE), NULL },
	{ HTTP_POST, "/v1/webhooks/calcom", calcom_webhook, TENANCY_NONE, 0, NULL },
};
const size_t calendar_nroutes = sizeof(calendar_routes) / sizeof(calendar_routes[0]);

const struct route calendar_test_routes[] = {
	{ HTTP_GET, "/v1/test/calendar/busy", test_busy, TENANCY_HOST_OR_HEADER, 0, NULL },
	{ HTTP_POST, "/v1/test/calendar/reconcile", test_reconcile, TENANCY_HOST_OR_HEADER, 0,
	  NULL },
};
const size_t calendar_test_nroutes = sizeof(calendar_test_routes) / sizeof(calendar_test_routes[0]);
