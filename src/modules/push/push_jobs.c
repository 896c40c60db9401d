/* push_jobs.c — sending Web Push notifications through the job queue.
 *
 * A change enqueues one push.notify job in its own transaction
 * (push_enqueue), when anyone of the tenant has subscribed. That job builds
 * the notification (title, body, tag, url; at most WEBPUSH_MAX_PAYLOAD
 * bytes) and fans out one push.send job per subscription of each member
 * the permission matrix lets see it: handoffs to those who read
 * conversations; bookings to those who read bookings, STAFF only for
 * bookings with an item of their own. A push.send job
 * encrypts and POSTs; 404/410 delete the subscription, 429/5xx and network
 * failures retry with the queue's backoff, other answers are final. The
 * endpoint (a capability URL) and keys are never logged. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include "db/db.h"
#include "db/jobs.h"
#include "modules/auth/auth.h"
#include "modules/push/push.h"
#include "modules/push/push_store.h"
#include "providers/webpush.h"

#define NOTIFY_JOB "push.notify"
#define SEND_JOB "push.send"
#define PREVIEW_MAX 140		/* bytes of the customer's last message */
#define PUSH_TTL_S (24 * 3600)

enum status
push_enqueue(struct db_tx *tx, const char *event, const char *id, const char *unique_key)
{
	/* The store borrows the payload: this reference is ours. */
	json_t *payload = json_pack("{s:s, s:s}", "event", event, "id", id);
	enum status st = push_store_enqueue(tx, NOTIFY_JOB, payload,
	    unique_key ? arena_printf(tx->arena, "%s:%s", event, unique_key) : NULL);

	json_decref(payload);
	return st;
}

/* s cut to at most max bytes on a UTF-8 boundary, with "…" when cut. */
static const char *
preview(struct arena *a, const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return "";
	if ((n = strlen(s)) <= max)
		return s;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return arena_printf(a, "%.*s…", (int)n, s);
}

static bool
eligible(const struct push_recipient *r, bool handoff)
{
	enum role role = authz_role_parse(r->role);

	if (handoff)
		return authz_role_can(role, RES_CONVERSATIONS, VERB_READ);
	if (!authz_role_can(role, RES_BOOKINGS, VERB_READ))
		return false;
	return role != ROLE_STAFF || r->own_booking;
}

/* The notification for event, or NULL when its subject is gone. */
static enum status
build(struct ctx *ctx, struct db_tx *tx, const char *event, const char *id, json_t **msg)
{
	const char *text = NULL, *name = NULL, *ref = NULL, *start = NULL;
	enum status st;

	*msg = NULL;
	if (strcmp(event, "handoff") == 0) {
		if ((st = push_store_handoff(tx, id, &text, &name)) != ST_OK)
			return st;
		*msg = json_pack("{s:s, s:s, s:s, s:s}",
		    "title", name ? arena_printf(ctx->arena, "%s wants a person",
		    preview(ctx->arena, name, 60)) : "A customer wants a person",
		    "body", preview(ctx->arena, text, PREVIEW_MAX),
		    "tag", arena_printf(ctx->arena, "handoff-%s", id),
		    "url", arena_printf(ctx->arena, "/admin/conversations/%s", id));
		return ST_OK;
	}
	st = push_store_booking(tx, id, &ref, &start);
	if (st == ST_NOTFOUND)
		return ST_OK;
	if (st != ST_OK)
		return st;
	*msg = json_pack("{s:s, s:s, s:s, s:s}",
	    "title", strcmp(event, "booking.cancelled") == 0 ? "Booking cancelled" : "New booking",
	    "body", arena_printf(ctx->arena, "%s at %s", ref, start),
	    "tag", arena_printf(ctx->arena, "booking-%s", id),
	    "url", arena_printf(ctx->arena, "/admin/bookings/%s", id));
	return ST_OK;
}

static enum status
run_notify(struct job *job)
{
	struct ctx *ctx = &job->ctx;
	const char *event = json_string_value(json_object_get(job->payload, "event"));
	const char *id = json_string_value(json_object_get(job->payload, "id"));
	bool handoff;
	struct push_recipient *rs = NULL;
	size_t n = 0, sent = 0;
	struct db_tx tx;
	json_t *msg = NULL;
	char *text = NULL;
	enum status st;

	if (event == NULL || id == NULL)
		return ST_OK;	/* malformed: nothing to retry */
	handoff = strcmp(event, "handoff") == 0;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = build(ctx, &tx, event, id, &msg)) != ST_OK || msg == NULL)
		goto out;
	text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (text == NULL || strlen(text) > WEBPUSH_MAX_PAYLOAD) {
		st = err_set(ctx->err, ST_INTERNAL, "push payload too large");
		goto out;
	}
	if ((st = push_store_recipients(&tx, handoff ? NULL : id, &rs, &n)) != ST_OK)
		goto out;
	for (size_t i = 0; i < n && st == ST_OK; i++) {
		if (!eligible(&rs[i], handoff))
			continue;
		st = jobs_enqueue(&tx, SEND_JOB, json_pack("{s:s, s:s}", "subscription_id",
		    rs[i].subscription_id, "payload", text), arena_printf(ctx->arena, "%lld:%s",
		    job->id, rs[i].subscription_id), 0, 0);
		sent++;
	}
out:
	free(text);
	st = db_tx_end(&tx, st);
	if (st == ST_OK && sent > 0)
		log_info("push: %s fanned out to %zu subscription(s)", event, sent);
	return st;
}

static enum status
run_send(struct job *job)
{
	struct ctx *ctx = &job->ctx;
	const char *sid = json_string_value(json_object_get(job->payload, "subscription_id"));
	const char *payload = json_string_value(json_object_get(job->payload, "payload"));
	const char *endpoint, *p256dh, *auth;
	struct webpush_message m = { .ttl_s = PUSH_TTL_S, .urgency = WEBPUSH_HIGH };
	struct webpush_vapid v;
	struct db_tx tx;
	size_t n1 = 0, n2 = 0;
	long status = 0;
	int retry_after = 0;
	char why[160];
	enum status st;

	if (sid == NULL || payload == NULL)
		return ST_OK;
	if (webpush_vapid_load(ctx->cfg->vapid_public_key, ctx->cfg->vapid_private_key,
	    ctx->cfg->vapid_subject, &v, why, sizeof(why)) != ST_OK) {
		log_warn("push: not sent: %s", why);
		return ST_OK;	/* push was turned off since: drop */
	}
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = push_store_subscription(&tx, sid, &endpoint, &p256dh, &auth);
	if (st == ST_OK) {
		endpoint = arena_strdup(ctx->arena, endpoint);
		if (!sec_bytea_parse(p256dh, m.p256dh, sizeof(m.p256dh), &n1) ||
		    !sec_bytea_parse(auth, m.auth, sizeof(m.auth), &n2) || n1 != 65 || n2 != 16)
			st = ST_NOTFOUND;
	}
	/* The HTTP call happens outside any transaction. */
	if ((st = db_tx_end(&tx, st == ST_NOTFOUND ? ST_OK : st)) != ST_OK || n1 == 0)
		return st;
	m.endpoint = endpoint;
	m.payload = payload;
	st = webpush_send(ctx->arena, &v, &m, (long)time(NULL), &status, &retry_after, ctx->err);
	if (st == ST_INVALID || st == ST_TOO_LARGE)
		return ST_OK;	/* this subscription's keys are unusable: final */
	if (st != ST_OK)
		return st;	/* no answer: retry */
	if (status == 404 || status == 410) {
		log_info("push: subscription %s is gone (%ld): removed", sid, status);
		if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
			return st;
		return db_tx_end(&tx, push_store_delete_id(&tx, sid));
	}
	if (status == 429 || status >= 500)
		return err_set(ctx->err, ST_UPSTREAM, "push service answered %ld", status);
	if (status < 200 || status >= 300)
		log_warn("push: push service refused subscription %s (%ld)", sid, status);
	return ST_OK;
}

static const struct job_handler push_job_handlers_v[] = {
	{ NOTIFY_JOB, run_notify },
	{ SEND_JOB, run_send },
};
const struct job_table push_job_handlers = TABLE_OF(push_job_handlers_v);
