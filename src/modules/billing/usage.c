/* usage.c — metering AI usage per tenant per UTC month, and the plan's
 * message limit, which two racing messages can never both pass.
 *
 * A month's counters are spread over USAGE_SHARDS rows (0010_usage_shards)
 * that readers add up: one row would make every turn of a tenant wait for
 * the one before it to commit. */
#include "modules/billing/usage.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "providers/llm.h"

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
	char lim[32], shard[8];
	const char *params[] = { shard, lim };
	PGresult *res;

	if (limit == 0)
		return err_set(e, ST_FORBIDDEN, "%s", USAGE_LIMIT_REPLY);
	next_shard(shard);
	if (limit == PLAN_UNLIMITED) {
		if (db_exec(tx, "INSERT INTO usage_monthly (tenant_id, month, shard, messages)"
		    " VALUES (app_tenant(), usage_current_month(), $1::smallint, 1)"
		    " ON CONFLICT (tenant_id, month, shard) DO UPDATE"
		    " SET messages = usage_monthly.messages + 1", 1, params) == NULL)
			return db_status(tx);
		return ST_OK;
	}
	snprintf(lim, sizeof(lim), "%ld", limit);
	/* A limit: the tenant's counting is serialised by a transaction lock
	 * (taken by the caller's last statements, held to its commit), and
	 * the sum read after it sees every message counted before. */
	if (db_exec(tx, "SELECT pg_advisory_xact_lock(7001, hashtext(app_tenant()::text))", 0,
	    NULL) == NULL)
		return db_status(tx);
	res = db_exec(tx, "INSERT INTO usage_monthly (tenant_id, month, shard, messages)"
	    " SELECT app_tenant(), usage_current_month(), $1::smallint, 1"
	    " WHERE (SELECT coalesce(sum(messages), 0) FROM usage_monthly"
	    "        WHERE month = usage_current_month()) < $2::bigint"
	    " ON CONFLICT (tenant_id, month, shard) DO UPDATE"
	    " SET messages = usage_monthly.messages + 1"
	    " RETURNING messages", 2, params);
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return err_set(e, ST_FORBIDDEN, "%s", USAGE_LIMIT_REPLY);
	return ST_OK;
}

enum status
usage_messages_this_month(struct db_tx *tx, long *out)
{
	PGresult *res = db_exec(tx, "SELECT coalesce(sum(messages), 0) FROM usage_monthly"
	    " WHERE month = usage_current_month()", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	*out = strtol(db_val(res, 0, 0), NULL, 10);
	return ST_OK;
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
	char in[24], out[24], cached[24], shard[8];
	const char *params[] = {
		provider && *provider ? provider : "unknown",
		model && *model ? model : "unknown", in, out, cached, shard,
	};

	next_shard(shard);

	snprintf(in, sizeof(in), "%ld", input_tokens > 0 ? input_tokens : 0);
	snprintf(out, sizeof(out), "%ld", output_tokens > 0 ? output_tokens : 0);
	snprintf(cached, sizeof(cached), "%ld", cached_tokens > 0 ? cached_tokens : 0);
	/* The month's totals and the model's row in one statement (the
	 * per-model row refers to the totals row: its foreign key is checked
	 * at the end of the statement, when both exist). */
	if (db_exec(tx, "WITH m AS (INSERT INTO usage_monthly (tenant_id, month, model_calls,"
	    " input_tokens, output_tokens, cached_tokens, shard) VALUES (app_tenant(),"
	    " usage_current_month(), 1, $3::bigint, $4::bigint, $5::bigint, $6::smallint)"
	    " ON CONFLICT (tenant_id, month, shard) DO UPDATE SET"
	    " model_calls = usage_monthly.model_calls + 1,"
	    " input_tokens = usage_monthly.input_tokens + EXCLUDED.input_tokens,"
	    " output_tokens = usage_monthly.output_tokens + EXCLUDED.output_tokens,"
	    " cached_tokens = usage_monthly.cached_tokens + EXCLUDED.cached_tokens"
	    " RETURNING tenant_id, month, shard)"
	    " INSERT INTO usage_monthly_models (tenant_id, month, provider, model,"
	    " calls, input_tokens, output_tokens, cached_tokens, shard)"
	    " SELECT m.tenant_id, m.month, left($1, 40), left($2, 200), 1, $3::bigint, $4::bigint,"
	    " $5::bigint, m.shard FROM m"
	    " ON CONFLICT (tenant_id, month, provider, model, shard) DO UPDATE SET"
	    " calls = usage_monthly_models.calls + 1,"
	    " input_tokens = usage_monthly_models.input_tokens + EXCLUDED.input_tokens,"
	    " output_tokens = usage_monthly_models.output_tokens + EXCLUDED.output_tokens,"
	    " cached_tokens = usage_monthly_models.cached_tokens + EXCLUDED.cached_tokens",
	    6, params) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
usage_record_response(struct db_tx *tx, const struct llm_response *resp)
{
	return usage_record(tx, resp->provider, resp->model, resp->input_tokens,
	    resp->output_tokens, resp->cached_tokens);
}

static json_t *
count(PGresult *res, int row, int col)
{
	const char *v = PQntuples(res) > row ? db_val(res, row, col) : NULL;

	return json_integer(v ? strtoll(v, NULL, 10) : 0);
}

enum status
usage_report(struct db_tx *tx, enum plan_tier plan, const char *month, json_t **out)
{
	const char *params[1];
	PGresult *cur, *tot, *models;
	json_t *by, *msgs;
	long limit = plan_limit(plan, LIMIT_MESSAGES_PER_MONTH);
	json_int_t used;

	*out = NULL;
	if (month == NULL) {
		if ((cur = db_exec(tx, "SELECT to_char(usage_current_month(), 'YYYY-MM-DD')", 0,
		    NULL)) == NULL)
			return db_status(tx);
		month = db_val(cur, 0, 0);
	}
	params[0] = month;
	tot = db_exec(tx, "SELECT sum(messages), sum(model_calls), sum(input_tokens),"
	    " sum(output_tokens), sum(cached_tokens) FROM usage_monthly WHERE month = $1::date"
	    " HAVING count(*) > 0", 1, params);
	if (tot == NULL)
		return db_status(tx);
	models = db_exec(tx, "SELECT provider, model, sum(calls) AS calls, sum(input_tokens),"
	    " sum(output_tokens), sum(cached_tokens) FROM usage_monthly_models"
	    " WHERE month = $1::date GROUP BY provider, model"
	    " ORDER BY calls DESC, provider, model LIMIT 100", 1, params);
	if (models == NULL)
		return db_status(tx);
	by = json_array();
	for (int i = 0; i < PQntuples(models); i++)
		json_array_append_new(by, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}",
		    "provider", db_val(models, i, 0), "model", db_val(models, i, 1),
		    "calls", count(models, i, 2), "input_tokens", count(models, i, 3),
		    "output_tokens", count(models, i, 4), "cached_tokens", count(models, i, 5)));
	used = PQntuples(tot) > 0 ? strtoll(db_val(tot, 0, 0), NULL, 10) : 0;
	msgs = json_pack("{s:I}", "used", used);
	if (limit == PLAN_UNLIMITED) {
		json_object_set_new(msgs, "limit", json_null());
		json_object_set_new(msgs, "remaining", json_null());
	} else {
		json_object_set_new(msgs, "limit", json_integer(limit));
		json_object_set_new(msgs, "remaining", json_integer(used < limit ? limit - used : 0));
	}
	*out = json_pack("{s:s#, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "month", month, (int)7,
	    "plan", plan_name(plan), "messages", msgs, "model_calls", count(tot, 0, 1),
	    "input_tokens", count(tot, 0, 2), "output_tokens", count(tot, 0, 3),
	    "cached_tokens", count(tot, 0, 4), "by_model", by);
	return ST_OK;
}
