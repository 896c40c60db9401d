/* messages_service.c — queueing (in the caller's transaction), the admin's
 * list and retry, and the sender: claim (commit), deliver, record.
 *
 * At most once: a claimed message is committed as 'sending' before any
 * provider is called, so a crash between the provider's acceptance and our
 * record leaves it in 'sending' and it is never sent again on its own; the
 * admin sees it and may retry (docs/messages.md says why). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "modules/auth/auth.h"
#include "modules/audit/audit.h"
#include "modules/billing/billing.h"
#include "modules/messages/messages_internal.h"
#include "modules/messages/messages_render.h"
#include "modules/messages/messages_store.h"
#include "modules/sms/sms.h"
#include "providers/smtp.h"

#define CLAIM_BATCH 20

enum status
messages_queue(struct db_tx *tx, const struct message_new *m)
{
	return messages_store_insert(tx, m, false);
}

enum status
messages_queue_platform(struct db_tx *tx, const struct message_new *m)
{
	return messages_store_insert(tx, m, true);
}

enum status
messages_alert_business(struct db_tx *tx, const char *template_name, json_t *payload,
    const char *staff_id, const char *booking_id)
{
	const char **to;
	size_t n;
	enum status st;

	if ((st = messages_store_business_recipients(tx, staff_id, &to, &n)) != ST_OK)
		return st;
	for (size_t i = 0; i < n && st == ST_OK; i++) {
		struct message_new m = { MESSAGE_EMAIL, to[i], template_name, payload, NULL,
			booking_id, 0 };

		st = messages_queue(tx, &m);
	}
	return st;
}

enum status
messages_cancel_booking(struct db_tx *tx, const char *booking_id, const char *key_prefix)
{
	return messages_store_cancel_booking(tx, booking_id, key_prefix);
}

/* ---- the admin's view ------------------------------------------------------------------ */

enum status
messages_list(struct ctx *c, const struct msg_filter *f, json_t **items, json_t **next)
{
	const char *ts = NULL, *id = NULL;
	struct db_tx tx;
	enum status st;

	*items = *next = NULL;
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	st = messages_store_list(&tx, f, items, &ts, &id);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(*items);
		*items = NULL;
		return st;
	}
	/* No live secret (an invitation's token) leaves through the API. */
	auth_outbox_redact(c->arena, *items);
	*next = ts != NULL ? auth_page_cursor(c->arena, ts, id) : json_null();
	return ST_OK;
}

enum status
messages_retry(struct ctx *c, const char *id, json_t **out)
{
	struct audit_actor who;
	struct db_tx tx;
	bool found = false;
	enum status st;
	json_t *arr;

	*out = NULL;
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	if ((st = messages_store_retry(&tx, id, out, &found)) != ST_OK)
		goto out;
	if (!found) {
		st = err_set(c->err, ST_NOTFOUND, "No failed, dead or stuck message with this id.");
		goto out;
	}
	auth_actor(c, &who);
	st = audit_record(&tx, &who, "message.retried", "message", id, json_pack("{s:s}",
	    "template", json_string_value(json_object_get(*out, "template"))));
out:
	st = db_tx_end(&tx, st);
	if (st != ST_OK) {
		json_decref(*out);
		*out = NULL;
		return st;
	}
	arr = json_pack("[O]", *out);
	auth_outbox_redact(c->arena, arr);
	json_decref(*out);
	*out = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return ST_OK;
}

/* ---- sending ----------------------------------------------------------------------------- */

/* About 1 min, 5 min, 15 min, 1 h, then 2 h, 4 h, …; MESSAGES_RETRY_FIXED_S
 * replaces it in tests. */
int
messages_backoff_s(const struct config *cfg, int attempt)
{
	static const int steps[] = { 60, 300, 900, 3600, 7200, 14400, 28800, 43200, 86400 };

	if (cfg != NULL && cfg->messages_retry_fixed_s > 0)
		return cfg->messages_retry_fixed_s;
	if (attempt < 1)
		attempt = 1;
	if ((size_t)attempt > sizeof(steps) / sizeof(steps[0]))
		return steps[sizeof(steps) / sizeof(steps[0]) - 1];
	return steps[attempt - 1];
}

struct outcome {
	const char *status;	/* sent, failed, bounced, suppressed, queued (retry), dead */
	const char *provider_id;
	int segments;
	const char *why;
	int retry_s;
	bool refund;		/* nothing was tried: the attempt does not count */
};

static void
retry_or_dead(const struct config *cfg, const struct msg_row *row, const char *why,
    struct outcome *o)
{
	o->why = why;
	if (row->attempts >= cfg->messages_max_attempts) {
		o->status = "dead";
		return;
	}
	o->status = "queued";
	o->retry_s = messages_backoff_s(cfg, row->attempts);
}

/* The brand a message goes out with (tenant_id NULL: the platform's own),
 * read in a short transaction. */
enum status
messages_brand(struct ctx *c, const char *tenant_id, struct msg_brand *b)
{
	struct msg_tenant t;
	struct db_tx tx;
	enum plan_tier tier;
	char scheme[8], port[8];
	enum status st;

	memset(b, 0, sizeof(*b));
	b->domain = c->cfg->platform_domain;
	if (tenant_id == NULL) {
		b->name = c->cfg->platform_name;
		b->platform_name = NULL;	/* it is the platform's own mail */
		b->zone = "UTC";
		return ST_OK;
	}
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	st = messages_store_tenant(&tx, &t);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	*b = (struct msg_brand){ t.name, t.primary, t.accent, t.logo_url, t.contact_email,
		t.address, t.zone, c->cfg->platform_name, c->cfg->platform_domain, NULL };
	/* The booking portal on the business's own host ("View or change"). */
	auth_link_parts(c->cfg->public_base_url, scheme, port);
	b->portal_base = arena_printf(c->arena, "%s://%s.%s%s", scheme, t.slug,
	    c->cfg->platform_domain, port);
	if (plan_parse(t.plan, &tier) && plan_has(tier, FEAT_REMOVE_PLATFORM_BRANDING))
		b->platform_name = NULL;
	return ST_OK;
}

static void
send_email(struct ctx *c, const struct msg_row *row, const struct msg_brand *b,
    const struct msg_rendered *r, struct smtp_session *smtp, struct outcome *o)
{
	const struct config *cfg = c->cfg;
	struct mail m = { b->name, cfg->smtp_from, b->contact_email, row->recipient, r->subject,
		r->text, r->html, arena_printf(c->arena, "<%s@%s>", row->id, cfg->platform_domain),
		(long)time(NULL), r->ics, r->ics_method, r->list_unsubscribe };
	struct mail_result res;

	if (smtp != NULL)
		smtp_session_send(smtp, &m, &res);
	else if (cfg->mail_dir != NULL)
		smtp_write_eml(cfg->mail_dir, &m, &res);
	else {
		/* No provider: the message waits, visible to the admin. */
		o->status = "queued";
		o->retry_s = 300;
		o->refund = true;
		o->why = "no e-mail provider configured (SMTP_URL)";
		return;
	}
	switch (res.outcome) {
	case MAIL_SENT:
		o->status = "sent";
		o->provider_id = m.message_id;
		break;
	case MAIL_FAILED:
		o->status = "failed";
		o->why = arena_strdup(c->arena, res.why);
		break;
	case MAIL_BOUNCED:
		o->status = "bounced";
		o->why = arena_strdup(c->arena, res.why);
		break;
	case MAIL_RETRY:
		retry_or_dead(cfg, row, arena_strdup(c->arena, res.why), o);
		break;
	}
}

static void
send_sms(struct ctx *c, const struct msg_row *row, const struct msg_rendered *r,
    struct outcome *o)
{
	struct sms_result res = { 0 };

	if (sms_deliver(c, row->recipient, r->sms, &res) != ST_OK) {
		retry_or_dead(c->cfg, row, "internal error while sending the text", o);
		return;
	}
	o->segments = res.segments;
	switch (res.outcome) {
	case SMS_SENT:
		o->status = "sent";
		o->provider_id = res.provider_id;
		break;
	case SMS_SUPPRESSED:
		o->status = "suppressed";
		o->why = res.why;
		break;
	case SMS_FAILED:
		o->status = "failed";
		o->why = res.why;
		break;
	case SMS_RETRY:
		retry_or_dead(c->cfg, row, res.why, o);
		break;
	case SMS_UNCONFIGURED:
		o->status = "queued";
		o->retry_s = 300;
		o->refund = true;
		o->why = res.why ? res.why : "no SMS provider configured";
		break;
	}
}

static void
decref(void *p)
{
	json_decref(p);
}

/* A tenant's e-mail: suppressed when the address bounced before or, for a
 * reminder, when the customer unsubscribed from this business's reminders
 * (o->status set); else a reminder gets its unsubscribe link. */
static enum status
email_gate(struct ctx *c, const struct msg_row *row, const struct msg_brand *b,
    json_t *payload, struct outcome *o)
{
	enum msg_block block = MSG_BLOCK_NONE;
	struct db_tx tx;
	const char *url;
	enum status st;

	if (row->tenant_id == NULL || strcmp(row->channel, "email") != 0)
		return ST_OK;
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	st = messages_store_email_block(&tx, row->template_name, row->recipient, &block);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (block != MSG_BLOCK_NONE) {
		o->status = "suppressed";
		o->why = block == MSG_BLOCK_BOUNCED ? "the address bounced before (Send again on"
		    " the bounced message once it is corrected)" :
		    "the customer unsubscribed from reminder e-mails";
		return ST_OK;
	}
	if (msg_stoppable(row->template_name) && payload != NULL && b->portal_base != NULL &&
	    (url = messages_unsubscribe_url(c, b->portal_base, row->id)) != NULL)
		json_object_set_new(payload, "unsubscribe_url", json_string(url));
	return ST_OK;
}

/* Renders, sends and records one claimed message; e-mail goes through
 * smtp (NULL: no SMTP_URL). */
static enum status
deliver(struct ctx *parent, const struct msg_row *row, struct smtp_session *smtp)
{
	struct ctx c = *parent;
	struct outcome o = { 0 };
	struct msg_brand b;
	struct msg_rendered r;
	struct db_tx tx;
	json_t *payload;
	enum status st;

	if (row->tenant_id != NULL)
		ctx_set_tenant(&c, row->tenant_id);
	else
		c.has_tenant = false;
	payload = json_loads(row->payload ? row->payload : "{}", 0, NULL);
	if (payload != NULL)
		arena_defer(c.arena, decref, payload);
	if ((st = messages_brand(&c, row->tenant_id, &b)) != ST_OK) {
		retry_or_dead(c.cfg, row, "cannot read the sender's brand", &o);
	} else if ((st = email_gate(&c, row, &b, payload, &o)) != ST_OK || o.status != NULL) {
		if (st != ST_OK)
			retry_or_dead(c.cfg, row, "cannot read the address's bounce and opt-out", &o);
	} else if (msg_render(c.arena, &b, row->template_name, payload, (int64_t)time(NULL),
	    &r) != ST_OK) {
		o.status = "failed";
		o.why = "unknown template";
	} else if (strcmp(row->channel, "sms") == 0) {
		send_sms(&c, row, &r, &o);
	} else {
		send_email(&c, row, &b, &r, smtp, &o);
	}
	if ((st = db_tx_begin_as(&tx, &c, NULL)) != ST_OK)
		return st;
	st = messages_store_record(&tx, row, o.status, o.provider_id, o.segments, o.why,
	    o.retry_s, o.refund);
	return db_tx_end(&tx, st);
}

/* One message, in an arena of its own (a drain sends thousands). */
static enum status
deliver_one(struct ctx *parent, const struct msg_row *row, struct smtp_session *smtp)
{
	struct arena a;
	enum status st;
	struct ctx c = *parent;

	arena_init(&a, 16384);
	c.arena = &a;
	st = deliver(&c, row, smtp);
	arena_free(&a);
	return st;
}

enum status
messages_send_due(struct ctx *c, int budget_s, void (*fanout)(void *), void *arg, bool *more)
{
	time_t until = time(NULL) + budget_s;
	struct smtp_session *smtp = NULL;
	struct ctx bc = *c;
	struct arena a;
	enum status st = ST_OK;

	*more = false;
	bc.arena = &a;
	while (!ctx_cancelled(c)) {
		struct msg_row *rows = NULL;
		struct db_tx tx;
		size_t n = 0;

		if (time(NULL) >= until) {
			*more = true;
			break;
		}
		arena_init(&a, 8192);	/* one batch's rows */
		/* Claimed and committed before any provider is called. */
		if ((st = db_tx_begin_as(&tx, &bc, NULL)) == ST_OK) {
			st = messages_store_claim(&tx, CLAIM_BATCH, &rows, &n);
			st = db_tx_end(&tx, st);
		}
		if (st == ST_OK && n == CLAIM_BATCH && fanout != NULL) {
			fanout(arg);
			fanout = NULL;
		}
		/* The batch's e-mail goes through one SMTP session (a connection,
		 * EHLO and AUTH per batch, not per message); each message is
		 * still sent, then recorded, on its own, so a refusal fails only
		 * its message and a crash leaves the batch's others 'sending'
		 * or recorded exactly as before. */
		if (st == ST_OK && n > 0 && c->cfg->smtp_url != NULL)
			smtp = smtp_session_new(c->cfg->smtp_url, c->cfg->smtp_timeout_ms);
		for (size_t i = 0; st == ST_OK && i < n; i++)
			if (deliver_one(c, &rows[i], smtp) != ST_OK)
				log_warn("message %s: the outcome was not recorded", rows[i].id);
		smtp_session_free(smtp);
		smtp = NULL;
		arena_free(&a);
		if (st != ST_OK || n == 0)
			break;
	}
	return st;
}
