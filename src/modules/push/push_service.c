/* push_service.c — the rules of push subscriptions: push is on only with
 * VAPID keys configured; a subscription belongs to the signed-in user in
 * the request's tenant; a user keeps at most PUSH_USER_SUBSCRIPTIONS_MAX
 * browsers. One transaction per call. */
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "db/db.h"
#include "modules/auth/auth.h"
#include "modules/push/push.h"
#include "modules/push/push_store.h"
#include "providers/webpush.h"

/* The configured VAPID pair, checked once per call (cheap: a point
 * multiplication); ST_UNAVAILABLE when push is off. */
static enum status
vapid(struct ctx *ctx, struct webpush_vapid *v)
{
	char why[160];
	enum status st;

	st = webpush_vapid_load(ctx->cfg->vapid_public_key, ctx->cfg->vapid_private_key,
	    ctx->cfg->vapid_subject, v, why, sizeof(why));
	if (st == ST_UNAVAILABLE) {
		return err_set(ctx->err, ST_UNAVAILABLE,
		    "Push notifications are off on this server (no VAPID keys are configured).");
	}
	if (st != ST_OK)
		return err_set(ctx->err, ST_INTERNAL, "Push is misconfigured: %s.", why);
	return ST_OK;
}

/* Push subscriptions belong to people, not API keys or service tokens. */
static enum status
user_of(struct ctx *ctx, const char **user_id)
{
	if (ctx->actor != ACTOR_PRINCIPAL || ctx->principal == NULL ||
	    ctx->principal->kind != PRINCIPAL_USER || ctx->principal->act_as)
		return err_set(ctx->err, ST_FORBIDDEN,
		    "Only a signed-in member of this business can subscribe to push notifications.");
	*user_id = ctx->principal->id;
	return ST_OK;
}

enum status
push_public_key(struct ctx *ctx, const char **key)
{
	struct webpush_vapid v;
	enum status st;

	if ((st = vapid(ctx, &v)) != ST_OK)
		return st;
	*key = arena_strdup(ctx->arena, v.pub_b64);
	return ST_OK;
}

enum status
push_subscribe(struct ctx *ctx, const struct push_subscription_in *in, bool *created)
{
	struct webpush_vapid v;
	struct db_tx tx;
	const char *uid;
	long n = 0;
	enum status st;

	if ((st = vapid(ctx, &v)) != ST_OK || (st = user_of(ctx, &uid)) != ST_OK)
		return st;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = push_store_count(&tx, uid, &n)) != ST_OK)
		goto out;
	if ((st = push_store_upsert(&tx, uid, in, created)) != ST_OK)
		goto out;
	if (*created && n >= PUSH_USER_SUBSCRIPTIONS_MAX) {
		st = err_set(ctx->err, ST_CONFLICT, "You already receive push notifications on %d"
		    " browsers; unsubscribe one first.", PUSH_USER_SUBSCRIPTIONS_MAX);
		goto out;
	}
out:
	return db_tx_end(&tx, st);
}

enum status
push_unsubscribe(struct ctx *ctx, const char *endpoint)
{
	struct db_tx tx;
	const char *uid;
	bool found = false;
	enum status st;

	if ((st = user_of(ctx, &uid)) != ST_OK)
		return st;
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = push_store_delete(&tx, uid, endpoint, &found)) != ST_OK)
		goto out;
	if (!found)
		st = err_set(ctx->err, ST_NOTFOUND, "No push subscription of yours has this endpoint.");
out:
	return db_tx_end(&tx, st);
}
