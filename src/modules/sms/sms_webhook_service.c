/* sms_webhook_service.c — what Twilio tells us: delivery status callbacks
 * and inbound texts, each verified with X-Twilio-Signature under the auth
 * token of the account it names (the tenant's own, or the platform's);
 * and the job that answers an inbound text with the receptionist.
 *
 * Inbound texts are stored once by MessageSid (webhook_events), so
 * Twilio's retry of the same text does nothing. STOP, START and HELP are
 * answered in the webhook's own TwiML response: the STOP confirmation must
 * reach a number that is, from that moment, opted out, which sms_deliver
 * rightly refuses; and a TwiML reply needs no outbound API call, no
 * allowance, and arrives even while the sender settings are changing.
 * Anything else is acknowledged at once and answered by a job: "C" (or
 * CONFIRM) confirms the customer's next booking, as reminders invite; "R"
 * opens the receptionist's reschedule flow; the rest is a receptionist
 * turn. Neither numbers nor bodies are logged. */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/log.h"
#include "db/jobs.h"
#include "http/http.h"
#include "modules/ai/ai.h"
#include "modules/reminders/reminders.h"
#include "modules/sms/sms_internal.h"
#include "providers/twilio.h"

struct form {
	struct twilio_param *p;
	size_t n;
};

static const char *
form_get(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->p[i].name, name) == 0)
			return f->p[i].value;
	return NULL;
}

static enum status
form_parse(struct ctx *ctx, const char *body, size_t len, struct form *f)
{
	struct http_qparam q[SMS_WEBHOOK_PARAMS_MAX];
	size_t n = 0;

	if (len > SMS_WEBHOOK_BODY_MAX)
		return err_set(ctx->err, ST_TOO_LARGE, "The webhook body is too large.");
	if (memchr(body, '\0', len) != NULL || http_query_split(ctx->arena,
	    len ? arena_strndup(ctx->arena, body, len) : NULL, q, SMS_WEBHOOK_PARAMS_MAX, &n) !=
	    HTTP_QUERY_OK)
		return err_set(ctx->err, ST_INVALID, "The body is not a form Twilio sends.");
	f->p = arena_calloc(ctx->arena, n ? n : 1, sizeof(*f->p));
	f->n = n;
	for (size_t i = 0; i < n; i++) {
		f->p[i].name = q[i].name;
		f->p[i].value = q[i].value;
	}
	return ST_OK;
}

static enum status
refuse(struct ctx *ctx, enum status st, const char *why)
{
	/* The log says why; the reply does not help a forger. */
	log_emit(LOG_WARN, "twilio webhook refused", json_pack("{s:s?, s:s}", "request_id",
	    ctx->request_id, "reason", why));
	return err_set(ctx->err, st, st == ST_UNAUTHENTICATED ?
	    "The request is not signed (X-Twilio-Signature)." :
	    "The X-Twilio-Signature is not valid for this request.");
}

/* The auth token of the account the request names: the tenant's (row) or
 * the platform's. NULL when neither is that account. */
static enum status
account_token(struct ctx *ctx, const struct sms_settings_row *row, const char *account_sid,
    const char **token)
{
	const struct config *cfg = ctx->cfg;

	*token = NULL;
	if (account_sid == NULL)
		return ST_OK;
	if (row != NULL && row->found && row->account_sid != NULL &&
	    strcmp(row->account_sid, account_sid) == 0)
		return sec_secret_open(cfg, ctx->arena, "the stored Twilio auth token",
		    row->token_ct, row->token_nonce, row->token_key_id, token, ctx->err);
	if (cfg->twilio_account_sid != NULL && cfg->twilio_auth_token != NULL &&
	    cfg->twilio_auth_token[0] != '\0' && strcmp(cfg->twilio_account_sid, account_sid) == 0)
		*token = cfg->twilio_auth_token;
	return ST_OK;
}

static enum status
verify(struct ctx *ctx, const struct sms_settings_row *row, const char *url,
    struct form *f, const char *signature)
{
	const char *token;
	enum status st;

	if (signature == NULL || signature[0] == '\0')
		return refuse(ctx, ST_UNAUTHENTICATED, "no X-Twilio-Signature");
	if ((st = account_token(ctx, row, form_get(f, "AccountSid"), &token)) != ST_OK)
		return st;
	if (token == NULL)
		return refuse(ctx, ST_FORBIDDEN, "the AccountSid is not an account we know");
	if (!twilio_signature_ok(ctx->arena, token, url, f->p, f->n, signature))
		return refuse(ctx, ST_FORBIDDEN, "signature mismatch");
	return ST_OK;
}

/* Status callbacks --------------------------------------------------------------------- */

/* Twilio's MessageStatus → the outbox's status; NULL: nothing to record
 * (queued, sending, sent: the row is already sent). */
static const char *
outbox_status(const char *s)
{
	if (s == NULL)
		return NULL;
	if (strcmp(s, "delivered") == 0 || strcmp(s, "read") == 0)
		return "delivered";
	if (strcmp(s, "undelivered") == 0)
		return "bounced";	/* taken by Twilio, refused by the carrier or handset */
	if (strcmp(s, "failed") == 0)
		return "failed";
	return NULL;
}

enum status
sms_status_callback(struct ctx *ctx, const char *url, const char *signature, const char *body,
    size_t len, const char *tenant_param)
{
	struct sms_settings_row row;
	const char *sid, *to_status, *code, *why = NULL;
	bool updated = false;
	struct form f;
	struct db_tx tx;
	enum status st;

	if ((st = form_parse(ctx, body, len, &f)) != ST_OK)
		return st;
	if (tenant_param == NULL || !id_is_uuid(tenant_param))
		return refuse(ctx, signature ? ST_FORBIDDEN : ST_UNAUTHENTICATED,
		    "no tenant in the callback URL");
	if ((st = db_tx_begin_as(&tx, ctx, tenant_param)) != ST_OK)
		return st;
	if ((st = sms_store_settings_get(&tx, &row)) != ST_OK ||
	    (st = verify(ctx, &row, url, &f, signature)) != ST_OK)
		goto out;
	sid = form_get(&f, "MessageSid");
	to_status = outbox_status(form_get(&f, "MessageStatus"));
	if (sid == NULL || strlen(sid) > 64 || to_status == NULL)
		goto out;
	if ((code = form_get(&f, "ErrorCode")) != NULL && strlen(code) <= 10)
		why = arena_printf(ctx->arena, "twilio error %s", code);
	else
		why = arena_printf(ctx->arena, "twilio: %s", form_get(&f, "MessageStatus"));
	st = sms_store_status_apply(&tx, sid, to_status, why, &updated);
out:
	return db_tx_end(&tx, st);
}

/* Inbound texts -------------------------------------------------------------------------- */

static const char *
business_name(const struct sms_business *b)
{
	return b->name != NULL ? b->name : "this business";
}

/* The reply to a keyword, sent in the webhook's TwiML. */
static const char *
keyword_reply(struct ctx *ctx, enum sms_keyword kw, const struct sms_business *b)
{
	switch (kw) {
	case SMS_KW_STOP:
		return arena_printf(ctx->arena, "You are unsubscribed from %s texts and will "
		    "receive no more. Reply START to resubscribe.", business_name(b));
	case SMS_KW_START:
		return arena_printf(ctx->arena, "You are resubscribed to %s texts. Reply HELP "
		    "for help, STOP to opt out.", business_name(b));
	case SMS_KW_HELP:
		return arena_printf(ctx->arena, "%s%s%s%s%s. Reply STOP to opt out.",
		    business_name(b), b->phone || b->email ? ": contact us at " : "",
		    b->phone ? b->phone : "", b->phone && b->email ? " or " : "",
		    b->email ? b->email : "");
	case SMS_KW_NONE:
	case SMS_KW_CONFIRM:
	case SMS_KW_RESCHEDULE:
		break;
	}
	return NULL;
}

static const char *
sha_bytea(struct arena *a, const char *body, size_t len)
{
	unsigned char sha[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];

	SHA256((const unsigned char *)body, len, sha);
	for (size_t i = 0; i < sizeof(sha); i++)
		snprintf(hex + 2 * i, 3, "%02x", sha[i]);
	return arena_printf(a, "\\x%s", hex);
}

/* Inside the tenant's transaction, after verification: store once, then
 * act on it. */
static enum status
inbound_apply(struct ctx *ctx, struct db_tx *tx, struct form *f, const char *body,
    size_t len, const char **reply)
{
	const char *sid = form_get(f, "MessageSid"), *from = form_get(f, "From");
	const char *to = form_get(f, "To"), *text = form_get(f, "Body"), *word;
	struct sms_business biz;
	enum sms_keyword kw;
	long long event_id = 0;
	bool inserted = false;
	json_t *payload, *job;
	char *dumped;
	enum status st;

	*reply = NULL;
	if (sid == NULL || sid[0] == '\0' || strlen(sid) > 64 || !addr_e164_ok(from) ||
	    text == NULL)
		return ST_OK;	/* not a text we can answer (a short code, MMS only) */
	payload = json_pack("{s:s, s:s, s:s, s:s}", "MessageSid", sid, "From", from, "To", to,
	    "Body", text);
	arena_defer(ctx->arena, (void (*)(void *))json_decref, payload);
	if ((dumped = json_dumps(payload, JSON_COMPACT)) == NULL)
		return ST_INTERNAL;
	arena_defer(ctx->arena, free, dumped);
	if ((st = sms_store_event_ingest(tx, sid, sha_bytea(ctx->arena, body, len), dumped,
	    &event_id, &inserted)) != ST_OK)
		return st;
	if (!inserted)
		return ST_OK;	/* Twilio's retry of a text we have: nothing again */
	kw = sms_keyword(text, &word);
	if (kw == SMS_KW_NONE || kw == SMS_KW_CONFIRM || kw == SMS_KW_RESCHEDULE) {
		job = json_pack("{s:I}", "event_id", (json_int_t)event_id);
		arena_defer(ctx->arena, (void (*)(void *))json_decref, job);
		return jobs_enqueue(tx, SMS_INBOUND_JOB, job, arena_printf(ctx->arena, "sms:%lld",
		    event_id), 0, 3);
	}
	if (kw == SMS_KW_STOP)
		st = sms_store_opt_out(tx, from, word);
	else if (kw == SMS_KW_START)
		st = sms_store_opt_in(tx, from);
	if (st == ST_OK && (st = sms_store_business(tx, &biz)) == ST_OK)
		*reply = keyword_reply(ctx, kw, &biz);
	log_emit(LOG_INFO, "sms keyword", json_pack("{s:s?, s:s, s:s}", "request_id",
	    ctx->request_id, "tenant_id", ctx->tenant.id, "keyword", word));
	return st;
}

enum status
sms_inbound(struct ctx *ctx, const char *url, const char *signature, const char *body,
    size_t len, const char **twiml)
{
	struct sms_settings_row row;
	const char *to, *tenant_id = NULL, *reply = NULL;
	struct form f;
	struct db_tx tx;
	enum status st;

	*twiml = NULL;
	if ((st = form_parse(ctx, body, len, &f)) != ST_OK)
		return st;
	to = form_get(&f, "To");
	if ((st = db_tx_begin_as(&tx, ctx, NULL)) != ST_OK)
		return st;
	if (to != NULL && addr_e164_ok(to))
		st = sms_store_tenant_by_number(&tx, to, &tenant_id);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (tenant_id == NULL) {
		/* Verified against the platform's account all the same, so an
		 * unsigned probe cannot tell our numbers from others. */
		row.found = false;
		if ((st = verify(ctx, NULL, url, &f, signature)) != ST_OK)
			return st;
		log_emit(LOG_INFO, "sms to a number no business uses: ignored", json_pack(
		    "{s:s?}", "request_id", ctx->request_id));
		*twiml = twilio_twiml(ctx->arena, NULL);
		return ST_OK;
	}
	if ((st = db_tx_begin_as(&tx, ctx, tenant_id)) != ST_OK)
		return st;
	ctx_set_tenant(ctx, tenant_id);
	if ((st = sms_store_settings_get(&tx, &row)) != ST_OK ||
	    (st = verify(ctx, &row, url, &f, signature)) != ST_OK)
		goto out;
	st = inbound_apply(ctx, &tx, &f, body, len, &reply);
out:
	if ((st = db_tx_end(&tx, st)) == ST_OK)
		*twiml = twilio_twiml(ctx->arena, reply);
	return st;
}

/* The receptionist's turn --------------------------------------------------------------- */

/* Texts a reply, cut into SMS-sized parts. A part that does not go ends the
 * reply; the job is done either way (a retry would repeat the turn). */
static enum status
reply_texts(struct ctx *ctx, const char *to, const char *text)
{
	const char *parts[SMS_REPLY_PARTS_MAX];
	struct sms_result res;
	size_t n = sms_split(ctx->arena, text, SMS_REPLY_PARTS_MAX, parts);

	for (size_t i = 0; i < n; i++) {
		if (sms_deliver(ctx, to, parts[i], &res) != ST_OK)
			return ST_OK;
		if (res.outcome != SMS_SENT)
			break;	/* suppressed, failed, unconfigured: the rest would be too */
	}
	return ST_OK;
}

enum status
sms_inbound_turn(struct ctx *ctx, long long event_id)
{
	const char *payload_s = NULL, *from, *to, *text, *customer_id = NULL;
	const char *word;
	char conv_id[UUID_STR_LEN + 1];
	struct reminders_confirmed done;
	struct ai_turn_out out;
	bool created = false;
	json_t *payload;
	json_error_t jerr;
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = sms_store_event_payload(&tx, event_id, &payload_s)) != ST_OK || payload_s == NULL)
		goto out;
	if ((payload = json_loads(payload_s, 0, &jerr)) == NULL) {
		payload_s = NULL;
		goto out;
	}
	arena_defer(ctx->arena, (void (*)(void *))json_decref, payload);
	from = json_string_value(json_object_get(payload, "From"));
	to = json_string_value(json_object_get(payload, "To"));
	text = json_string_value(json_object_get(payload, "Body"));
	if (from == NULL || to == NULL || text == NULL) {
		payload_s = NULL;
		goto out;
	}
	/* The same customer as on the web when the phone matches. */
	if ((st = sms_store_customer_by_phone(&tx, from, &customer_id)) != ST_OK)
		goto out;
	st = sms_store_conversation(&tx, arena_printf(ctx->arena, "%s|%s", to, from), customer_id,
	    from, conv_id, &created);
out:
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (payload_s == NULL) {
		log_warn("sms.inbound: event %lld is gone or unreadable; dropped", event_id);
		return ST_OK;
	}
	switch (sms_keyword(text, &word)) {
	case SMS_KW_CONFIRM:
		/* "C" to a reminder: the customer's next booking is confirmed. */
		if ((st = reminders_confirm_by_phone(ctx, from, &done)) == ST_OK)
			return reply_texts(ctx, from, arena_printf(ctx->arena, "Thank you, your "
			    "booking (ref %s) is confirmed. See you then!", done.reference));
		if (st != ST_NOTFOUND)
			return st;
		break;	/* no booking to confirm: the receptionist answers */
	case SMS_KW_RESCHEDULE:
		/* "R": the receptionist's reschedule flow, in words it knows. */
		text = "I would like to reschedule my booking";
		break;
	default:
		break;
	}
	if ((st = ai_turn(ctx, conv_id, text, NULL, &out)) != ST_OK) {
		if (st == ST_CONFLICT)
			return ST_UNAVAILABLE;	/* another turn runs: this one later */
		/* The message is kept in the conversation; a retry would add it
		 * twice. A person sees it in the inbox. */
		log_emit(LOG_WARN, "sms turn failed", json_pack("{s:s, s:s, s:s}", "tenant_id",
		    ctx->tenant.id, "conversation_id", conv_id, "status", status_code(st)));
		return ST_OK;
	}
	if (out.silent || out.text == NULL || out.text[0] == '\0')
		return ST_OK;
	return reply_texts(ctx, from, out.text);
}
