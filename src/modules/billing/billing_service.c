/* billing_service.c — metering AI usage per tenant per UTC month, and the
 * plan's message limit, which two racing messages can never both pass.
 * The usage_* calls run in the caller's transaction (the engine counts a
 * message in the same one as the turn); billing_usage_report opens its
 * own. billing_store.c holds the SQL. */
#include "modules/billing/billing.h"

#include <stdatomic.h>
#include <stdio.h>

#include "db/db.h"
#include "modules/billing/billing_store.h"

#define USAGE_SHARDS 16

/* Round robin over the shards: writers in this process never queue on one
 * row while another is free. */
static void
next_shard(char out[8])
{
	static atomic_uint next;

	snprintf(out, 8, "%u", atomic_fetch_add(&next, 1) % USAGE_SHARDS);
}

enum status
usage_allow_message(struct db_tx *tx, enum plan_tier plan, struct err *e)
{
	long limit = plan_limit(plan, LIMIT_MESSAGES_PER_MONTH);
	char shard[8];
	bool counted = false;
	enum status st;

	if (limit == 0)
		return err_set(e, ST_FORBIDDEN, "%s", USAGE_LIMIT_REPLY);
	next_shard(shard);
	if ((st = billing_store_count_message(tx, shard,
	    limit == PLAN_UNLIMITED ? -1 : limit, &counted)) != ST_OK)
		return st;
	if (!counted)
		return err_set(e, ST_FORBIDDEN, "%s", USAGE_LIMIT_REPLY);
	return ST_OK;
}

enum status
usage_messages_this_month(struct db_tx *tx, long *out)
{
	return billing_store_messages_this_month(tx, out);
}

enum status
usage_check(struct db_tx *tx, enum plan_tier plan, struct err *e)
{
	long used = 0;
	enum status st;

	if ((st = usage_messages_this_month(tx, &used)) != ST_OK)
		return st;
	return plan_check_limit(plan, LIMIT_MESSAGES_PER_MONTH, used, 1, e);
}

enum status
usage_record(struct db_tx *tx, const char *provider, const char *model, long input_tokens,
    long output_tokens, long cached_tokens)
{
	char shard[8];

	next_shard(shard);
	return billing_store_record(tx, shard, provider && *provider ? provider : "unknown",
	    model && *model ? model : "unknown", input_tokens > 0 ? input_tokens : 0,
	    output_tokens > 0 ? output_tokens : 0, cached_tokens > 0 ? cached_tokens : 0);
}

static json_t *
messages_json(enum plan_tier plan, json_int_t used)
{
	long limit = plan_limit(plan, LIMIT_MESSAGES_PER_MONTH);

	if (limit == PLAN_UNLIMITED)
		return json_pack("{s:I, s:n, s:n}", "used", used, "limit", "remaining");
	return json_pack("{s:I, s:I, s:I}", "used", used, "limit", (json_int_t)limit,
	    "remaining", (json_int_t)(used < limit ? limit - used : 0));
}

/* The plan's features (names) and limits (null: unlimited), for the
 * admin app's "Usage and plan". */
static json_t *
plan_json(enum plan_tier plan)
{
	json_t *features = json_array(), *limits = json_object();

	for (int f = 0; f < FEAT__COUNT; f++)
		if (plan_has(plan, (enum plan_feature)f))
			json_array_append_new(features, json_string(plan_feature_name(
			    (enum plan_feature)f)));
	for (int l = 0; l < LIMIT__COUNT; l++) {
		long v = plan_limit(plan, (enum plan_limit)l);

		json_object_set_new(limits, plan_limit_name((enum plan_limit)l),
		    v == PLAN_UNLIMITED ? json_null() : json_integer(v));
	}
	return json_pack("{s:s, s:o, s:o}", "name", plan_name(plan), "features", features,
	    "limits", limits);
}

enum status
usage_report(struct db_tx *tx, enum plan_tier plan, const char *month, json_t **out)
{
	struct usage_model_row *m = NULL;
	struct usage_totals t;
	size_t n = 0;
	json_t *by;
	enum status st;

	*out = NULL;
	if (month == NULL && (st = billing_store_current_month(tx, &month)) != ST_OK)
		return st;
	if ((st = billing_store_totals(tx, month, &t)) != ST_OK ||
	    (st = billing_store_models(tx, month, &m, &n)) != ST_OK)
		return st;
	by = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(by, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}",
		    "provider", m[i].provider, "model", m[i].model, "calls", m[i].calls,
		    "input_tokens", m[i].input_tokens, "output_tokens", m[i].output_tokens,
		    "cached_tokens", m[i].cached_tokens));
	*out = json_pack("{s:s#, s:s, s:o, s:o, s:I, s:I, s:I, s:I, s:o}", "month", month, (int)7,
	    "plan", plan_name(plan), "plan_details", plan_json(plan), "messages", messages_json(plan, t.messages),
	    "model_calls", t.model_calls, "input_tokens", t.input_tokens,
	    "output_tokens", t.output_tokens, "cached_tokens", t.cached_tokens, "by_model", by);
	return ST_OK;
}

enum status
billing_usage_report(struct ctx *c, const char *month, json_t **out)
{
	enum plan_tier plan = PLAN_FREE;
	struct db_tx tx;
	enum status st;

	(void)plan_parse(c->tenant.plan, &plan);
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	st = usage_report(&tx, plan, month, out);
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return st;
}
