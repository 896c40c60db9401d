/* sms_service.c — sending a text (sms_deliver, the contract the messages
 * module's send job calls) and the tenant's SMS settings.
 *
 * sms_deliver decides in one short transaction (account, opt-out, the
 * plan's allowance, reserved before the call so concurrent senders never
 * pass it together), calls Twilio with no transaction open, and gives the
 * reserved unit back in a second one when the text did not go. Numbers
 * and bodies never reach a log line. */
#include <string.h>

#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "modules/audit/audit.h"
#include "modules/auth/auth.h"
#include "modules/billing/billing.h"
#include "modules/messages/messages.h"
#include "modules/sms/sms_internal.h"
#include "providers/twilio.h"

#define TOKEN_MAX 128

const char *
sms_public_url(const struct ctx *ctx, const char *path_and_query)
{
	const char *b = ctx->cfg->public_base_url ? ctx->cfg->public_base_url
	    : "http://localhost:8080";
	size_t n = strlen(b);

	if (n && b[n - 1] == '/')
		n--;
	return arena_printf(ctx->arena, "%.*s%s", (int)n, b, path_and_query);
}

static const char *
status_callback_url(const struct ctx *ctx, const char *tenant_id)
{
	return sms_public_url(ctx, arena_printf(ctx->arena, "/v1/webhooks/twilio/status?tenant=%s",
	    tenant_id));
}

static bool
platform_account(const struct config *cfg)
{
	return cfg->twilio_account_sid != NULL && cfg->twilio_account_sid[0] != '\0' &&
	    cfg->twilio_auth_token != NULL && cfg->twilio_auth_token[0] != '\0';
}

static const char *
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* The account and sender a tenant's texts go out on: its own account with
 * its own sender, or the platform's account with the tenant's sender (a
 * number the operator bought for it) or else the platform's. false: none. */
static enum status
resolve_account(struct ctx *ctx, const struct sms_settings_row *row,
    struct twilio_account *out, bool *configured)
{
	const struct config *cfg = ctx->cfg;
	enum status st;

	memset(out, 0, sizeof(*out));
	*configured = false;
	out->api_base = cfg->twilio_api_base;
	if (row->found && row->account_sid != NULL) {
		out->account_sid = row->account_sid;
		if ((st = sec_secret_open(cfg, ctx->arena, "the stored Twilio auth token",
		    row->token_ct, row->token_nonce, row->token_key_id, &out->auth_token,
		    ctx->err)) != ST_OK)
			return st;
		out->messaging_service_sid = row->messaging_service_sid;
		out->from = row->from_number;
	} else if (platform_account(cfg)) {
		out->account_sid = cfg->twilio_account_sid;
		out->auth_token = cfg->twilio_auth_token;
		if (row->found && (row->messaging_service_sid || row->from_number)) {
			out->messaging_service_sid = row->messaging_service_sid;
			out->from = row->from_number;
		} else {
			out->messaging_service_sid = nonempty(cfg->twilio_messaging_service_sid);
			out->from = nonempty(cfg->twilio_from);
		}
	}
	*configured = out->account_sid != NULL &&
	    (out->messaging_service_sid != NULL || out->from != NULL);
	return ST_OK;
}

static long
plan_sms_limit(const char *plan)
{
	enum plan_tier tier = PLAN_FREE;

	(void)plan_parse(plan, &tier);
	return plan_limit(tier, LIMIT_SMS_PER_MONTH);
}

static void
log_outcome(const struct ctx *ctx, const char *outcome, const char *why)
{
	log_emit(LOG_INFO, "sms", json_pack("{s:s?, s:s, s:s, s:s?}", "request_id",
	    ctx->request_id, "tenant_id", ctx->tenant.id, "outcome", outcome, "why", why));
}

/* The owner hears once a month that texts have stopped: the message's
 * dedupe key is the month. No owner: nobody to tell. */
static enum status
limit_notice(struct db_tx *tx, const char *month, long limit)
{
	const char *owner = NULL;
	struct message_new m = { MESSAGE_EMAIL, NULL, "sms.limit_reached", NULL, NULL, NULL, 0 };
	enum status st;

	if ((st = sms_store_owner_email(tx, &owner)) != ST_OK || owner == NULL)
		return st;
	m.recipient = owner;
	m.payload = json_pack("{s:s, s:I}", "month", month, "limit", (json_int_t)limit);
	m.dedupe_key = arena_printf(tx->arena, "sms.limit_reached:%s", month);
	st = m.payload != NULL ? messages_queue(tx, &m) : ST_INTERNAL;
	json_decref(m.payload);
	return st;
}

/* The first transaction: whether and how the text goes. *decided is set
 * when the outcome is already known (no provider call). */
static enum status
deliver_decide(struct ctx *ctx, const char *to, int segments, struct twilio_account *acct,
    struct sms_result *out, bool *decided)
{
	struct sms_settings_row row;
	const char *plan = NULL, *month = NULL;
	bool configured = false, opted = false, ok = false;
	long limit;
	struct db_tx tx;
	enum status st;

	*decided = true;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = sms_store_settings_get(&tx, &row)) != ST_OK ||
	    (st = sms_store_plan(&tx, &plan)) != ST_OK ||
	    (st = resolve_account(ctx, &row, acct, &configured)) != ST_OK)
		goto out;
	if (!configured) {
		out->outcome = SMS_UNCONFIGURED;
		out->why = "no SMS account is configured for this business or the platform";
		goto out;
	}
	if ((st = sms_store_opted_out(&tx, to, &opted)) != ST_OK)
		goto out;
	if (opted) {
		out->outcome = SMS_SUPPRESSED;
		out->why = "the recipient opted out (STOP)";
		goto out;
	}
	limit = plan_sms_limit(plan);
	if ((st = sms_store_usage_reserve(&tx, limit, segments, &ok, &month)) != ST_OK)
		goto out;
	if (!ok) {
		out->outcome = SMS_SUPPRESSED;
		out->why = arena_printf(ctx->arena, "the plan's %ld texts for %s are used up",
		    limit, month);
		st = limit_notice(&tx, month, limit);
		goto out;
	}
	*decided = false;
out:
	return db_tx_end(&tx, st);
}

static enum status
deliver_release(struct ctx *ctx, int segments)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = sms_store_usage_release(&tx, segments);
	return db_tx_end(&tx, st);
}

enum status
sms_deliver(struct ctx *ctx, const char *to_e164, const char *body, struct sms_result *out)
{
	struct twilio_account acct;
	struct twilio_message m;
	struct twilio_result tr;
	struct sms_count count;
	bool decided = true;
	enum status st;

	memset(out, 0, sizeof(*out));
	if (!ctx->has_tenant)
		return err_set(ctx->err, ST_INTERNAL, "sms_deliver needs a tenant");
	sms_count(body ? body : "", &count);
	out->segments = count.segments;
	if (!addr_e164_ok(to_e164)) {
		out->outcome = SMS_FAILED;
		out->why = "the recipient is not an E.164 phone number";
		goto done;
	}
	if (body == NULL || body[0] == '\0' || count.units > TWILIO_BODY_MAX_CHARS) {
		out->outcome = SMS_FAILED;
		out->why = "the text is empty or longer than 1600 characters";
		goto done;
	}
	if ((st = deliver_decide(ctx, to_e164, count.segments, &acct, out, &decided)) != ST_OK)
		return st;
	if (decided)
		goto done;
	m = (struct twilio_message){ .to = to_e164, .body = body,
		.status_callback = status_callback_url(ctx, ctx->tenant.id),
		.timeout_ms = ctx->cfg->twilio_timeout_ms };
	if ((st = twilio_send(ctx->arena, &acct, &m, &tr, ctx->err)) != ST_OK)
		return st;
	switch (tr.cls) {
	case TWILIO_SENT:
		out->outcome = SMS_SENT;
		out->provider_id = tr.sid;
		/* Our count stands: Twilio says 0 through a Messaging Service
		 * until a sender is chosen, and the allowance used ours. */
		out->why = tr.why;
		break;
	case TWILIO_RETRY:
		out->outcome = SMS_RETRY;
		out->why = tr.why;
		break;
	case TWILIO_FAILED:
		out->outcome = SMS_FAILED;
		out->why = tr.why;
		break;
	}
	if (out->outcome != SMS_SENT && (st = deliver_release(ctx, count.segments)) != ST_OK)
		log_warn("sms: could not give back a reserved unit of tenant %s", ctx->tenant.id);
done:
	log_outcome(ctx, out->outcome == SMS_SENT ? "sent" : out->outcome == SMS_SUPPRESSED ?
	    "suppressed" : out->outcome == SMS_RETRY ? "retry" : out->outcome == SMS_FAILED ?
	    "failed" : "unconfigured", out->why);
	return ST_OK;
}

/* Settings -------------------------------------------------------------------------- */

static json_t *
settings_json(struct ctx *ctx, const struct sms_settings_row *row, const char *plan,
    long sent, long segments, const char *month)
{
	struct twilio_account acct;
	bool configured = false;
	const char *which;
	long limit = plan_sms_limit(plan);
	struct err e;

	/* Which account texts would use now; the token is not opened for
	 * this (a tenant account counts as configured when it has a sender). */
	err_clear(&e);
	if (row->found && row->account_sid != NULL)
		which = (row->messaging_service_sid || row->from_number) ? "tenant" : "none";
	else {
		struct ctx c = *ctx;
		c.err = &e;
		if (resolve_account(&c, row, &acct, &configured) != ST_OK)
			configured = false;
		which = configured ? "platform" : "none";
	}
	return json_pack("{s:s, s:s?, s:{s:b, s:s?}, s:s?, s:s?, s:s?, s:b,"
	    " s:{s:s, s:I, s:I, s:o}, s:{s:s, s:s}, s:s?}",
	    "account", which,
	    "account_sid", row->found ? row->account_sid : NULL,
	    "auth_token", "set", row->found && row->token_ct != NULL,
	    "last4", row->found ? row->token_last4 : NULL,
	    "messaging_service_sid", row->found ? row->messaging_service_sid : NULL,
	    "from_number", row->found ? row->from_number : NULL,
	    "inbound_number", row->found ? row->inbound_number : NULL,
	    "platform_account", platform_account(ctx->cfg),
	    "usage", "month", month, "sent", (json_int_t)sent, "segments", (json_int_t)segments,
	    "limit", limit == PLAN_UNLIMITED ? json_null() : json_integer(limit),
	    "webhooks", "inbound_url", sms_public_url(ctx, "/v1/webhooks/twilio/sms"),
	    "status_callback_url", status_callback_url(ctx, ctx->tenant.id),
	    "updated_at", row->found ? row->updated_at : NULL);
}

static enum status
settings_read(struct ctx *ctx, struct db_tx *tx, json_t **out)
{
	struct sms_settings_row row;
	const char *plan = NULL, *month = NULL;
	long sent = 0, segments = 0;
	enum status st;

	if ((st = sms_store_settings_get(tx, &row)) != ST_OK ||
	    (st = sms_store_plan(tx, &plan)) != ST_OK ||
	    (st = sms_store_usage_get(tx, &sent, &segments, &month)) != ST_OK)
		return st;
	*out = settings_json(ctx, &row, plan, sent, segments, month);
	arena_defer(ctx->arena, (void (*)(void *))json_decref, *out);
	return ST_OK;
}

enum status
sms_settings_get(struct ctx *ctx, json_t **out)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = settings_read(ctx, &tx, out);
	return db_tx_end(&tx, st);
}

static enum status
invalid_field(struct ctx *ctx, const char *field, const char *why)
{
	err_detail(ctx->err, field, "%s", why);
	return err_set(ctx->err, ST_INVALID, "Some fields are invalid.");
}

/* What will be stored: the account (kept, replaced or cleared) with its
 * token sealed, and the numbers as given. */
static enum status
settings_merge(struct ctx *ctx, const struct sms_settings_row *old,
    const struct sms_settings_in *in, struct sms_settings_put *put, bool *token_changed)
{
	struct sec_sealed sealed;
	size_t tl;
	enum status st;

	memset(put, 0, sizeof(*put));
	*token_changed = false;
	put->messaging_service_sid = in->messaging_service_sid;
	put->from_number = in->from_number;
	put->inbound_number = in->inbound_number;
	put->account_sid = in->has_account_sid ? in->account_sid : (old->found ?
	    old->account_sid : NULL);
	if (put->account_sid == NULL) {
		if (in->auth_token != NULL)
			return invalid_field(ctx, "auth_token", "is only stored with an account_sid");
		return ST_OK;
	}
	if (in->auth_token == NULL) {
		/* Keep the stored token, but only for the account it belongs to. */
		if (!old->found || old->token_ct == NULL || old->account_sid == NULL ||
		    strcmp(old->account_sid, put->account_sid) != 0)
			return invalid_field(ctx, "auth_token", "is required with a new account_sid");
		put->token_ct = old->token_ct;
		put->token_nonce = old->token_nonce;
		put->token_key_id = old->token_key_id;
		put->token_last4 = old->token_last4;
		return ST_OK;
	}
	if ((st = sec_secret_seal(ctx->cfg, ctx->arena, in->auth_token, &sealed, ctx->err)) !=
	    ST_OK)
		return st;
	tl = strlen(in->auth_token);
	put->token_ct = sealed.ct;
	put->token_nonce = sealed.nonce;
	put->token_key_id = arena_strdup(ctx->arena, sealed.key_id);
	put->token_last4 = arena_strdup(ctx->arena, in->auth_token + (tl > 4 ? tl - 4 : 0));
	*token_changed = true;
	return ST_OK;
}

enum status
sms_settings_put(struct ctx *ctx, const struct sms_settings_in *in, json_t **out)
{
	struct sms_settings_row old;
	struct sms_settings_put put;
	struct audit_actor who;
	bool token_changed = false;
	struct db_tx tx;
	enum status st;

	if (in->auth_token != NULL && strlen(in->auth_token) > TOKEN_MAX)
		return invalid_field(ctx, "auth_token", "is too long");
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = sms_store_settings_get(&tx, &old)) != ST_OK ||
	    (st = settings_merge(ctx, &old, in, &put, &token_changed)) != ST_OK)
		goto out;
	if ((st = sms_store_settings_put(&tx, &put)) != ST_OK) {
		if (st == ST_CONFLICT)
			st = err_set(ctx->err, ST_CONFLICT,
			    "That inbound number is already used by another business.");
		goto out;
	}
	auth_actor(ctx, &who);
	if ((st = audit_record(&tx, &who, old.found ? "sms_settings.updated"
	    : "sms_settings.created", "sms_settings", ctx->tenant.id,
	    json_pack("{s:s, s:s?, s:b, s:s?, s:s?, s:s?}",
	    "account", put.account_sid ? "tenant" : "platform",
	    "account_sid", put.account_sid, "auth_token_changed", token_changed,
	    "messaging_service_sid", put.messaging_service_sid,
	    "from_number", put.from_number, "inbound_number", put.inbound_number))) != ST_OK)
		goto out;
	st = settings_read(ctx, &tx, out);
out:
	return db_tx_end(&tx, st);
}

enum status
sms_settings_delete(struct ctx *ctx)
{
	struct audit_actor who;
	bool deleted = false;
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = sms_store_settings_delete(&tx, &deleted)) != ST_OK || !deleted)
		goto out;
	auth_actor(ctx, &who);
	st = audit_record(&tx, &who, "sms_settings.deleted", "sms_settings", ctx->tenant.id,
	    NULL);
out:
	return db_tx_end(&tx, st);
}

enum status
sms_test_usage_set(struct ctx *ctx, long sent)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = sms_store_usage_set(&tx, sent);
	return db_tx_end(&tx, st);
}
