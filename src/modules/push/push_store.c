/* push_store.c — SQL for push subscriptions, and only SQL. */
#include "modules/push/push_store.h"

#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"

enum status
push_store_count(struct db_tx *tx, const char *user_id, long *n)
{
	const char *p[] = { user_id };
	PGresult *res = db_exec(tx, "SELECT count(*) FROM push_subscriptions"
	    " WHERE user_id = $1::uuid", 1, p);

	if (res == NULL)
		return db_status(tx);
	*n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	return ST_OK;
}

/* The endpoint is unique per tenant: subscribing it again (a shared
 * device, another user) moves it to the caller with the new keys. */
enum status
push_store_upsert(struct db_tx *tx, const char *user_id, const struct push_subscription_in *in,
    bool *created)
{
	const char *p[] = {
		user_id, in->endpoint,
		sec_bytea_hex(tx->arena, in->p256dh, sizeof(in->p256dh)),
		sec_bytea_hex(tx->arena, in->auth, sizeof(in->auth)),
		in->user_agent,
	};
	PGresult *res = db_exec(tx,
	    "INSERT INTO push_subscriptions (tenant_id, user_id, endpoint, p256dh, auth, user_agent)"
	    " VALUES (app_tenant(), $1::uuid, $2, $3::bytea, $4::bytea, $5)"
	    " ON CONFLICT (tenant_id, endpoint) DO UPDATE SET user_id = EXCLUDED.user_id,"
	    " p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, user_agent = EXCLUDED.user_agent,"
	    " updated_at = now()"
	    " RETURNING (xmax = 0)", 5, p);

	if (res == NULL)
		return db_status(tx);
	*created = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	return ST_OK;
}

enum status
push_store_delete(struct db_tx *tx, const char *user_id, const char *endpoint, bool *found)
{
	const char *p[] = { user_id, endpoint };
	PGresult *res = db_exec(tx, "DELETE FROM push_subscriptions"
	    " WHERE user_id = $1::uuid AND endpoint = $2", 2, p);

	if (res == NULL)
		return db_status(tx);
	*found = strcmp(PQcmdTuples(res), "0") != 0;
	return ST_OK;
}
