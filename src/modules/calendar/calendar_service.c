/* calendar_service.c — the calendar services the routes call: connections
 * (list, Google consent and callback, Cal.com keys, removal), sync status
 * and resync, and receiving Cal.com deliveries. Each takes a struct ctx
 * (the tenant, the actor, arena and err), so nothing here knows HTTP.
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
#include "modules/auth/auth.h"
#include "modules/calendar/calendar_internal.h"
#include "modules/calendar/calendar_secrets.h"
#include "modules/tenants/tenants.h"

#define CALCOM_WEBHOOK_JOB "calendar.webhook"

const char *
calendar_base_url(const struct ctx *ctx)
{
	const char *b = ctx->cfg->public_base_url ? ctx->cfg->public_base_url
	    : "http://localhost:8080";
	size_t n = strlen(b);

	return n && b[n - 1] == '/' ? arena_printf(ctx->arena, "%.*s", (int)(n - 1), b) : b;
}

const char *
calendar_webhook_url(const struct ctx *ctx, const char *conn_id)
{
	return arena_printf(ctx->arena, "%s/v1/webhooks/calcom?connection=%s",
	    calendar_base_url(ctx), conn_id);
}

const char *
calendar_redirect_uri(const struct ctx *ctx)
{
	return arena_printf(ctx->arena, "%s%s", calendar_base_url(ctx), CALENDAR_CALLBACK_PATH);
}

/* The signed-in user behind the call, for created_by; NULL for keys,
 * tokens and support sessions. */
static const char *
principal_user(const struct ctx *ctx)
{
	const struct principal *p = ctx->principal;

	return p != NULL && p->kind == PRINCIPAL_USER && !p->act_as ? p->id : NULL;
}

static enum status
no_staff(const struct ctx *ctx)
{
	err_detail(ctx->err, "staff_id", "no such staff member");
	return err_set(ctx->err, ST_INVALID, "Some fields are invalid.");
}

/* Checks staff_id (NULL: none to check) inside tx. */
static enum status
check_staff(const struct ctx *ctx, struct db_tx *tx, const char *staff_id)
{
	bool exists = false;
	enum status st;

	if (staff_id == NULL)
		return ST_OK;
	if ((st = cal_store_staff_exists(tx, staff_id, &exists)) == ST_OK && !exists)
		st = no_staff(ctx);
	return st;
}

static json_t *
connection_audit(const char *provider, const char *staff_id, const char *ref_name,
    const char *ref)
{
	return json_pack("{s:s, s:s?, s:s}", "provider", provider, "staff_id", staff_id, ref_name,
	    ref);
}

/* Connections ----------------------------------------------------------------------------- */

enum status
calendar_connections(const struct ctx *ctx, json_t **items)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = cal_store_connections_json(&tx, items);
	return db_tx_end(&tx, st);
}

enum status
calendar_connection_remove(const struct ctx *ctx, const char *id)
{
	struct cal_conn_row row;
	struct audit_actor who;
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = cal_store_connection_get(&tx, id, true, &row)) != ST_OK ||
	    (st = cal_store_connection_delete(&tx, id)) != ST_OK)
		goto out;
	auth_actor(ctx, &who);
	st = audit_record(&tx, &who, "calendar_connection.deleted", "calendar_connection", id,
	    json_pack("{s:s, s:s?}", "provider", row.provider, "staff_id", row.staff_id));
out:
	if (st == ST_NOTFOUND)
		err_set(ctx->err, ST_NOTFOUND, "No such calendar connection.");
	if ((st = db_tx_end(&tx, st)) == ST_OK)
		calendar_google_forget(id);
	return st;
}

/* Google ------------------------------------------------------------------------------------ */

enum status
calendar_google_authorize(const struct ctx *ctx, const char *staff_id, const char *calendar_id,
    struct calendar_authorize *out)
{
	unsigned char key[32];
	char nonce[SEC_TOKEN_CHARS + 1];
	struct db_tx tx;
	enum status st;

	out->expires = (long long)time(NULL) + CALENDAR_STATE_TTL_S;
	if (ctx->cfg->google_client_id == NULL || ctx->cfg->google_client_secret == NULL) {
		ctx->err->retry_after = 3600;
		return err_set(ctx->err, ST_UNAVAILABLE,
		    "Google Calendar is not configured on this platform.");
	}
	if ((st = calendar_state_key(ctx->cfg, key, ctx->err)) != ST_OK)
		return st;
	calendar_random_b64url(32, nonce, sizeof(nonce));
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = check_staff(ctx, &tx, staff_id)) == ST_OK)
		st = cal_store_state_put(&tx, calendar_sha256_bytea(ctx->arena, nonce),
		    principal_user(ctx), staff_id, calendar_id, CALENDAR_STATE_TTL_S);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	out->authorize_url = calendar_google_authorize_url(ctx->arena, ctx->cfg,
	    calendar_redirect_uri(ctx), calendar_state_sign(ctx->arena, key, ctx->tenant.id, nonce,
	    out->expires));
	return ST_OK;
}

/* Exchanges the code for a refresh token and proves it on the calendar,
 * with no transaction open. */
static enum status
google_exchange(const struct ctx *ctx, const char *tenant_id, const char *code,
    const char *calendar_id, const char **refresh, struct err *e)
{
	struct calendar_call call;
	struct calendar_conn probe;
	char tmp_id[UUID_STR_LEN + 1];
	enum status st;

	calendar_call_init(&call, ctx, ctx->arena, e, tenant_id);
	if ((st = calendar_google_exchange_code(&call, code, calendar_redirect_uri(ctx), refresh))
	    != ST_OK)
		return st;
	id_uuid_v4(tmp_id);
	memset(&probe, 0, sizeof(probe));
	probe.tenant_id = tenant_id;
	probe.id = tmp_id;
	probe.provider = "google";
	probe.external_ref = calendar_id;
	probe.secret = *refresh;
	st = calendar_google_provider.validate(&call, &probe);
	calendar_google_forget(tmp_id);
	return st;
}

/* Stores the connection made by a consent, with its audit row. */
static enum status
google_store(const struct ctx *ctx, const char *tenant_id, const char *user_id,
    const char *staff_id, const char *calendar_id, const char *refresh, const char **conn_id)
{
	struct sec_sealed sealed;
	struct audit_actor who;
	struct db_tx tx;
	bool created = false;
	enum status st;

	if ((st = calendar_secret_seal(ctx->cfg, ctx->arena, refresh, &sealed, ctx->err)) != ST_OK)
		return st;
	if ((st = db_tx_begin_as(&tx, ctx, tenant_id)) != ST_OK)
		return st;
	st = cal_store_connection_put(&tx, "google", staff_id, calendar_id, sealed.ct, sealed.nonce,
	    sealed.key_id, NULL, NULL, NULL, user_id, NULL, conn_id, &created);
	if (st == ST_OK) {
		who.type = user_id ? "user" : "system";
		who.id = user_id;
		who.on_behalf_of = NULL;
		who.request_id = ctx->request_id;
		st = audit_record(&tx, &who, created ? "calendar_connection.created"
		    : "calendar_connection.reconnected", "calendar_connection", *conn_id,
		    connection_audit("google", staff_id, "calendar_id", calendar_id));
	}
	if ((st = db_tx_end(&tx, st)) == ST_OK) {
		calendar_google_forget(*conn_id);
		tcache_invalidate(tenant_id);	/* "no calendar" no longer holds */
	}
	return st;
}

enum status
calendar_google_finish(const struct ctx *ctx, const char *state, const char *code,
    const char *denied, const char **admin_query)
{
	const char *tenant_id, *nonce, *user_id = NULL, *staff_id = NULL, *calendar_id = NULL;
	const char *refresh, *conn_id = NULL;
	unsigned char key[32];
	struct err e;
	struct db_tx tx;
	bool found = false;
	enum status st;

	if ((st = calendar_state_key(ctx->cfg, key, ctx->err)) != ST_OK)
		return st;
	err_clear(&e);
	if (calendar_state_verify(ctx->arena, key, state, (long long)time(NULL), &tenant_id, &nonce,
	    &e) != ST_OK) {
		log_emit(LOG_WARN, "google oauth callback refused", json_pack("{s:s?, s:s}",
		    "request_id", ctx->request_id, "reason", e.message));
		return err_set(ctx->err, ST_INVALID,
		    "This Google authorisation is invalid or has expired; start again from the admin.");
	}
	/* Single use: the state row goes whatever happens next. */
	if ((st = db_tx_begin_as(&tx, ctx, tenant_id)) != ST_OK)
		return st;
	st = cal_store_state_take(&tx, calendar_sha256_bytea(ctx->arena, nonce), &user_id,
	    &staff_id, &calendar_id, &found);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (!found)
		return err_set(ctx->err, ST_INVALID,
		    "This Google authorisation was already used or has expired; start again.");
	if (denied != NULL) {
		*admin_query = "google=denied";
		return ST_OK;
	}
	if (code == NULL || code[0] == '\0' || strlen(code) > 2048)
		return err_set(ctx->err, ST_INVALID, "The authorisation code is missing.");
	if ((st = google_exchange(ctx, tenant_id, code, calendar_id, &refresh, &e)) != ST_OK) {
		log_emit(LOG_WARN, "google oauth exchange failed", json_pack("{s:s, s:s, s:s}",
		    "tenant_id", tenant_id, "status", status_code(st), "error", e.message));
		*admin_query = st == ST_NOTFOUND ? "google=error&reason=calendar_not_found"
		    : "google=error&reason=exchange_failed";
		return ST_OK;
	}
	if ((st = google_store(ctx, tenant_id, user_id, staff_id, calendar_id, refresh, &conn_id))
	    != ST_OK)
		return st;
	*admin_query = arena_printf(ctx->arena, "google=connected&connection=%s", conn_id);
	return ST_OK;
}

/* Cal.com ----------------------------------------------------------------------------------- */

/* The id the connection will have (it goes into the webhook URL, so it is
 * known before the row is written): the live one of (calcom, staff), or
 * new_id. Checks the staff member too. */
static enum status
calcom_conn_id(const struct ctx *ctx, const char *staff_id, const char *new_id,
    const char **conn_id)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = check_staff(ctx, &tx, staff_id)) == ST_OK)
		st = cal_store_connection_find(&tx, "calcom", staff_id, conn_id);
	if ((st = db_tx_end(&tx, st)) == ST_OK && *conn_id == NULL)
		*conn_id = new_id;
	return st;
}

/* What the admin is told when Cal.com refused the probe. */
static enum status
calcom_refused(const struct ctx *ctx, const struct calendar_call *call, enum status st)
{
	if (st == ST_UNAUTHENTICATED) {
		err_detail(ctx->err, "api_key", "Cal.com did not accept this key");
		return err_set(ctx->err, ST_INVALID, "Cal.com did not accept the API key.");
	}
	if (st == ST_NOTFOUND) {
		err_detail(ctx->err, "event_type_id", "this key has no such event type");
		return err_set(ctx->err, ST_INVALID, "Cal.com has no such event type for this key.");
	}
	if (st == ST_RATE_LIMITED)
		ctx->err->retry_after = call->retry_after_s > 0 ? call->retry_after_s : 60;
	return err_set(ctx->err, st == ST_RATE_LIMITED ? ST_RATE_LIMITED : ST_UPSTREAM,
	    "Cal.com could not be reached to check the key; try again.");
}

/* Seals both secrets and stores the connection, with its audit row. */
static enum status
calcom_store(const struct ctx *ctx, const struct calendar_calcom_input *in, const char *secret,
    const char *new_id, struct calendar_calcom_result *out)
{
	struct sec_sealed key_sealed, wh_sealed;
	struct audit_actor who;
	struct db_tx tx;
	enum status st;

	if ((st = calendar_secret_seal(ctx->cfg, ctx->arena, in->api_key, &key_sealed, ctx->err))
	    != ST_OK ||
	    (st = calendar_secret_seal(ctx->cfg, ctx->arena, secret, &wh_sealed, ctx->err)) != ST_OK)
		return st;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = cal_store_connection_put(&tx, "calcom", in->staff_id, out->event_type_id,
	    key_sealed.ct, key_sealed.nonce, key_sealed.key_id, wh_sealed.ct, wh_sealed.nonce,
	    wh_sealed.key_id, principal_user(ctx), new_id, &out->id, &out->created);
	if (st == ST_OK) {
		auth_actor(ctx, &who);
		st = audit_record(&tx, &who, out->created ? "calendar_connection.created"
		    : "calendar_connection.reconnected", "calendar_connection", out->id,
		    connection_audit("calcom", in->staff_id, "event_type_id", out->event_type_id));
	}
	if (st == ST_CONFLICT)
		err_set(ctx->err, ST_CONFLICT, "Another Cal.com connection for this calendar was"
		    " just made; reload and try again.");
	if ((st = db_tx_end(&tx, st)) == ST_OK)
		tcache_invalidate(ctx_tenant_id(ctx));	/* "no calendar" no longer holds */
	return st;
}

enum status
calendar_calcom_connect(const struct ctx *ctx, const struct calendar_calcom_input *in,
    struct calendar_calcom_result *out)
{
	char generated[SEC_TOKEN_CHARS + 1], new_id[UUID_STR_LEN + 1];
	const char *secret = in->webhook_secret, *conn_id = NULL;
	struct calendar_call call;
	struct calendar_conn probe;
	struct err e;
	enum status st;

	memset(out, 0, sizeof(*out));
	id_uuid_v4(new_id);
	if ((st = calcom_conn_id(ctx, in->staff_id, new_id, &conn_id)) != ST_OK)
		return st;
	/* One call proves the key and the event type; no transaction is
	 * open while Cal.com answers. */
	err_clear(&e);
	out->event_type_id = arena_printf(ctx->arena, "%lld", in->event_type_id);
	memset(&probe, 0, sizeof(probe));
	probe.tenant_id = ctx->tenant.id;
	probe.id = conn_id;
	probe.provider = "calcom";
	probe.external_ref = out->event_type_id;
	probe.secret = in->api_key;
	calendar_call_init(&call, ctx, ctx->arena, &e, ctx->tenant.id);
	if ((st = calendar_calcom_provider.validate(&call, &probe)) != ST_OK)
		return calcom_refused(ctx, &call, st);
	/* Without a secret of the admin's, we make one and register our
	 * webhook with it ourselves. */
	if (secret == NULL) {
		calendar_random_b64url(32, generated, sizeof(generated));
		secret = generated;
		if (calendar_calcom_register_webhook(&call, &probe, calendar_webhook_url(ctx, conn_id),
		    secret) == ST_OK)
			out->webhook_registered = true;
		else
			log_emit(LOG_WARN, "cal.com webhook not registered", json_pack("{s:s, s:s}",
			    "tenant_id", ctx->tenant.id, "error", e.message));
	}
	return calcom_store(ctx, in, secret, new_id, out);
}

/* Sync status and resync ------------------------------------------------------------------- */

enum status
calendar_sync_status(const struct ctx *ctx, const char *booking_id, json_t **items)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = cal_store_sync_status_json(&tx, booking_id, items);
	return db_tx_end(&tx, st);
}

/* Queues kind (payload may be NULL) under a fresh unique key prefix:… */
static enum status
enqueue_fresh(struct db_tx *tx, const struct ctx *ctx, const char *kind, json_t *payload,
    const char *prefix, int max_attempts)
{
	char nonce[SEC_TOKEN_CHARS + 1];

	calendar_random_b64url(12, nonce, sizeof(nonce));
	return jobs_enqueue(tx, kind, payload, arena_printf(ctx->arena, "%s:%s", prefix, nonce), 0,
	    max_attempts);
}

enum status
calendar_sync_enqueue(struct db_tx *tx, const char *booking_id, int version)
{
	/* The store borrows the payload: this reference is ours. */
	json_t *payload = json_pack("{s:s}", "booking_id", booking_id);
	enum status st = cal_store_sync_enqueue(tx, payload,
	    arena_printf(tx->arena, "%s:v%d", booking_id, version));

	json_decref(payload);
	return st;
}

enum status
calendar_resync(const struct ctx *ctx, const char *booking_id)
{
	struct audit_actor who;
	struct db_tx tx;
	bool exists = false;
	json_t *payload = json_pack("{s:s}", "booking_id", booking_id);
	enum status st;

	arena_defer(ctx->arena, (void (*)(void *))json_decref, payload);
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = cal_store_booking_exists(&tx, booking_id, &exists)) != ST_OK)
		goto out;
	if (!exists) {
		st = err_set(ctx->err, ST_NOTFOUND, "No such booking.");
		goto out;
	}
	if ((st = enqueue_fresh(&tx, ctx, CALENDAR_SYNC_JOB, payload,
	    arena_printf(ctx->arena, "resync:%s", booking_id), 5)) != ST_OK)
		goto out;
	auth_actor(ctx, &who);
	st = audit_record(&tx, &who, "booking.calendar_resync_requested", "booking", booking_id,
	    NULL);
out:
	return db_tx_end(&tx, st);
}

enum status
calendar_reconcile_now(const struct ctx *ctx)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = enqueue_fresh(&tx, ctx, "calendar.reconcile_tenant", NULL, "test", 1);
	return db_tx_end(&tx, st);
}

/* Cal.com deliveries ------------------------------------------------------------------------ */

static enum status
webhook_refused(const struct ctx *ctx, const char *why)
{
	/* The log names the reason; the reply does not help a forger. */
	log_emit(LOG_WARN, "cal.com webhook refused", json_pack("{s:s?, s:s}",
	    "request_id", ctx->request_id, "reason", why));
	return err_set(ctx->err, ST_UNAUTHENTICATED, "The webhook signature is not valid.");
}

/* The connection a delivery is for, and its tenant: named in the URL, or
 * found from the booking uid in the (not yet trusted) body. */
static enum status
webhook_connection(const struct ctx *ctx, const char *conn_param, json_t *body,
    const char **tenant_id, const char **conn_id)
{
	struct calendar_calcom_event ce;
	struct db_tx tx;
	enum status st = ST_OK;

	*tenant_id = *conn_id = NULL;
	if ((st = db_tx_begin_as(&tx, ctx, NULL)) != ST_OK)
		return st;
	if (conn_param != NULL && id_is_uuid(conn_param)) {
		*conn_id = conn_param;
		st = cal_store_webhook_tenant(&tx, conn_param, tenant_id);
	} else if (body != NULL && calendar_calcom_event_parse(body, &ce) == ST_OK &&
	    ce.uid != NULL && strlen(ce.uid) <= 1024) {
		st = cal_store_webhook_by_uid(&tx, ce.uid, tenant_id, conn_id);
	}
	return db_tx_end(&tx, st);
}

/* Checks the signature with the connection's secret, inside tx. */
static enum status
webhook_verify(const struct ctx *ctx, struct db_tx *tx, const char *conn_id,
    const char *signature, const char *body, size_t len)
{
	struct cal_conn_row row;
	const char *secret;
	enum status st;

	st = cal_store_connection_get(tx, conn_id, true, &row);
	if (st == ST_NOTFOUND || (st == ST_OK && row.webhook_ct == NULL))
		return webhook_refused(ctx, "the connection has no webhook secret");
	if (st != ST_OK)
		return st;
	if ((st = calendar_secret_open(ctx->cfg, ctx->arena, row.webhook_ct, row.webhook_nonce,
	    row.webhook_key_id, &secret, ctx->err)) != ST_OK)
		return st;
	if (!calendar_calcom_signature_ok(secret, body, len, signature))
		return webhook_refused(ctx, "signature mismatch");
	return ST_OK;
}

/* Stores the delivery once, under the body's hash (a redelivery is
 * byte-identical), and queues its processing when it is new. */
static enum status
webhook_store(const struct ctx *ctx, struct db_tx *tx, const char *conn_id, const char *trigger,
    const char *body, size_t len, bool *duplicate)
{
	unsigned char sha[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	const char *event_row = NULL;
	bool inserted = false;
	json_t *payload;
	enum status st;

	SHA256((const unsigned char *)body, len, sha);
	for (size_t i = 0; i < sizeof(sha); i++)
		snprintf(hex + 2 * i, 3, "%02x", sha[i]);
	if ((st = cal_store_webhook_ingest(tx, arena_printf(ctx->arena, "sha256:%s", hex),
	    arena_printf(ctx->arena, "%.255s", trigger), arena_printf(ctx->arena, "\\x%s", hex),
	    arena_strndup(ctx->arena, body, len), &event_row, &inserted)) != ST_OK)
		return st;
	*duplicate = !inserted;
	if (!inserted)
		return ST_OK;
	payload = json_pack("{s:s, s:I}", "connection_id", conn_id, "event_id",
	    (json_int_t)strtoll(event_row, NULL, 10));
	arena_defer(ctx->arena, (void (*)(void *))json_decref, payload);
	return jobs_enqueue(tx, CALCOM_WEBHOOK_JOB, payload,
	    arena_printf(ctx->arena, "calcom:%s", event_row), 0, 5);
}

enum status
calendar_calcom_receive(const struct ctx *ctx, const char *conn_param, const char *signature,
    const char *body, size_t len, bool *duplicate)
{
	const char *tenant_id, *conn_id;
	struct calendar_calcom_event ce;
	json_t *parsed = NULL;
	struct db_tx tx;
	struct err e;
	enum status st;

	*duplicate = false;
	if (signature == NULL || signature[0] == '\0')
		return webhook_refused(ctx, "no x-cal-signature-256 header");
	/* Before verification the body is only parsed, never trusted or
	 * stored: it may name the booking that tells us the tenant. */
	err_clear(&e);
	if (jv_parse_object(body, len, len, &parsed, &e) != ST_OK)
		parsed = NULL;
	else
		arena_defer(ctx->arena, (void (*)(void *))json_decref, parsed);
	if ((st = webhook_connection(ctx, conn_param, parsed, &tenant_id, &conn_id)) != ST_OK)
		return st;
	if (tenant_id == NULL || conn_id == NULL)
		return webhook_refused(ctx, "no connection for this webhook");
	if ((st = db_tx_begin_as(&tx, ctx, tenant_id)) != ST_OK)
		return st;
	if ((st = webhook_verify(ctx, &tx, conn_id, signature, body, len)) != ST_OK)
		goto out;
	if (parsed == NULL || calendar_calcom_event_parse(parsed, &ce) != ST_OK) {
		st = err_set(ctx->err, ST_INVALID, "The body is not a Cal.com webhook delivery.");
		goto out;
	}
	st = webhook_store(ctx, &tx, conn_id, ce.trigger, body, len, duplicate);
out:
	return db_tx_end(&tx, st);
}
