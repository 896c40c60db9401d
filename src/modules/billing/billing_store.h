/* billing_store.h — the usage counters' SQL (module-private). The tenant is
 * the transaction's. */
#ifndef BILLING_STORE_H
#define BILLING_STORE_H

#include <stdbool.h>

#include "db/db.h"

/* Adds one message to shard; with limit >= 0, only while the month's sum
 * stays below it (serialised per tenant by a transaction lock), and
 * *counted says whether it was. */
enum status billing_store_count_message(struct db_tx *tx, const char *shard, long limit,
    bool *counted) MUST_USE;
enum status billing_store_messages_this_month(struct db_tx *tx, long *out) MUST_USE;
enum status billing_store_record(struct db_tx *tx, const char *shard, const char *provider,
    const char *model, long input_tokens, long output_tokens, long cached_tokens) MUST_USE;

/* "YYYY-MM-DD" of the current usage month. */
enum status billing_store_current_month(struct db_tx *tx, const char **month) MUST_USE;

struct usage_totals {
	bool any;		/* false: no row this month */
	long long messages, model_calls, input_tokens, output_tokens, cached_tokens;
};
enum status billing_store_totals(struct db_tx *tx, const char *month,
    struct usage_totals *out) MUST_USE;

struct usage_model_row {
	const char *provider, *model;
	long long calls, input_tokens, output_tokens, cached_tokens;
};
/* The month's top 100 provider/model pairs by calls. */
enum status billing_store_models(struct db_tx *tx, const char *month,
    struct usage_model_row **rows, size_t *n) MUST_USE;

#endif
