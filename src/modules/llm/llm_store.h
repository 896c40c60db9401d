/* llm_store.h — the llm module's SQL (tenant_llm_settings), for its
 * service only. */
#ifndef MODULES_LLM_STORE_H
#define MODULES_LLM_STORE_H

#include <stdbool.h>

#include "core/arena.h"
#include "core/crypto.h"
#include "core/status.h"

struct db_tx;

/* The tenant's row as stored: text forms, NULL where unset. */
struct llm_row {
	const char *provider;
	const char *model;
	const char *base_url;
	const char *key_ct;		/* bytea text form; NULL: no key */
	const char *key_nonce;
	const char *key_id;
	int version;
	const char *updated_at;		/* RFC 3339, UTC, seconds */
};

/* *found: whether the tenant (tx's) has a row. */
enum status llm_store_get(struct db_tx *tx, struct arena *a, struct llm_row *out,
    bool *found) MUST_USE;
/* Inserts or updates the row; sealed is NULL unless the key is replaced,
 * keep_key keeps the stored key columns as they are. */
enum status llm_store_put(struct db_tx *tx, const char *provider, const char *model,
    const char *base_url, const struct sec_sealed *sealed, bool keep_key) MUST_USE;
/* *deleted: whether there was a row. */
enum status llm_store_delete(struct db_tx *tx, bool *deleted) MUST_USE;

#endif
