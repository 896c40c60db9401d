/* push_store.c — SQL for push subscriptions, and only SQL. */
#include "modules/push/push_store.h"

#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "db/jobs.h"

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

/* Every subscription of a live member of the tenant. own_booking: the
 * booking has an item performed by the member's own staff row. */
enum status
push_store_recipients(struct db_tx *tx, const char *booking_id, struct push_recipient **out,
    size_t *n)
{
	const char *p[] = { booking_id };
	PGresult *res = db_exec(tx,
	    "SELECT s.id, m.role, $1::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM booking_items bi"
	    "  JOIN staff st ON st.tenant_id = bi.tenant_id AND st.id = bi.staff_id"
	    "  WHERE bi.booking_id = $1::uuid AND st.user_id = s.user_id)"
	    " FROM push_subscriptions s"
	    " JOIN tenant_memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id"
	    "  AND m.deleted_at IS NULL"
	    " ORDER BY s.created_at, s.id", 1, p);

	if (res == NULL)
		return db_status(tx);
	*n = (size_t)PQntuples(res);
	*out = arena_calloc(tx->arena, *n + 1, sizeof(**out));
	for (size_t i = 0; i < *n; i++) {
		(*out)[i].subscription_id = db_val(res, (int)i, 0);
		(*out)[i].role = db_val(res, (int)i, 1);
		(*out)[i].own_booking = strcmp(db_val(res, (int)i, 2), "t") == 0;
	}
	return ST_OK;
}

enum status
push_store_handoff(struct db_tx *tx, const char *conversation_id, const char **last_message,
    const char **customer_name)
{
	const char *p[] = { conversation_id };
	PGresult *res = db_exec(tx,
	    "SELECT (SELECT m.content FROM messages m WHERE m.conversation_id = c.id"
	    "   AND m.author = 'customer' ORDER BY m.seq DESC LIMIT 1),"
	    " c.contact->>'name'"
	    " FROM conversations c WHERE c.id = $1::uuid", 1, p);

	if (res == NULL)
		return db_status(tx);
	*last_message = PQntuples(res) ? db_val(res, 0, 0) : NULL;
	*customer_name = PQntuples(res) ? db_val(res, 0, 1) : NULL;
	return ST_OK;
}

enum status
push_store_booking(struct db_tx *tx, const char *booking_id, const char **reference,
    const char **starts_at)
{
	const char *p[] = { booking_id };
	PGresult *res = db_exec(tx, "SELECT reference, " DB_RFC3339("starts_at")
	    " FROM bookings WHERE id = $1::uuid", 1, p);

	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_NOTFOUND;
	*reference = db_val(res, 0, 0);
	*starts_at = db_val(res, 0, 1);
	return ST_OK;
}

enum status
push_store_subscription(struct db_tx *tx, const char *id, const char **endpoint,
    const char **p256dh, const char **auth)
{
	const char *p[] = { id };
	PGresult *res = db_exec(tx, "SELECT endpoint, p256dh, auth FROM push_subscriptions"
	    " WHERE id = $1::uuid", 1, p);

	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_NOTFOUND;
	*endpoint = db_val(res, 0, 0);
	*p256dh = db_val(res, 0, 1);
	*auth = db_val(res, 0, 2);
	return ST_OK;
}

enum status
push_store_delete_id(struct db_tx *tx, const char *id)
{
	const char *p[] = { id };

	if (db_exec(tx, "DELETE FROM push_subscriptions WHERE id = $1::uuid", 1, p) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
push_store_enqueue(struct db_tx *tx, const char *kind, json_t *payload, const char *key)
{
	/* The primary key's tenant prefix answers the guard. */
	return jobs_enqueue_when(tx, kind, payload, key, 0, 0,
	    "EXISTS (SELECT 1 FROM push_subscriptions WHERE tenant_id = app_tenant())");
}
