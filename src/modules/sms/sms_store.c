/* sms_store.c — the sms module's SQL, and only SQL: settings, opt-outs,
 * the monthly allowance, outbox status from Twilio's callbacks, inbound
 * events, and what the inbound path needs to find (tenant by number,
 * customer by phone, the conversation). Every statement binds its values;
 * the tenant is the transaction's (RLS). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/sms/sms_internal.h"

static enum status
exec(struct db_tx *tx, const char *sql, int n, const char *const *p, long *rows)
{
	PGresult *res = db_exec(tx, sql, n, p);

	if (res == NULL)
		return db_status(tx);
	if (rows != NULL)
		*rows = atol(PQcmdTuples(res));
	return ST_OK;
}

/* Settings -------------------------------------------------------------------- */

enum status
sms_store_settings_get(struct db_tx *tx, struct sms_settings_row *out)
{
	PGresult *res;
	enum status st;

	memset(out, 0, sizeof(*out));
	if ((st = db_one(tx, "SELECT account_sid, token_ct::text, token_nonce::text, token_key_id,"
	    " token_last4, messaging_service_sid, from_number, inbound_number, "
	    DB_RFC3339("updated_at") " FROM sms_settings WHERE tenant_id = app_tenant()", 0, NULL,
	    &res, &out->found)) != ST_OK || !out->found)
		return st;
	out->account_sid = db_val(res, 0, 0);
	out->token_ct = db_val(res, 0, 1);
	out->token_nonce = db_val(res, 0, 2);
	out->token_key_id = db_val(res, 0, 3);
	out->token_last4 = db_val(res, 0, 4);
	out->messaging_service_sid = db_val(res, 0, 5);
	out->from_number = db_val(res, 0, 6);
	out->inbound_number = db_val(res, 0, 7);
	out->updated_at = db_val(res, 0, 8);
	return ST_OK;
}

enum status
sms_store_settings_put(struct db_tx *tx, const struct sms_settings_put *in)
{
	const char *p[8] = { in->account_sid, in->token_ct, in->token_nonce, in->token_key_id,
		in->token_last4, in->messaging_service_sid, in->from_number, in->inbound_number };

	return exec(tx, "INSERT INTO sms_settings (tenant_id, account_sid, token_ct, token_nonce,"
	    " token_key_id, token_last4, messaging_service_sid, from_number, inbound_number)"
	    " VALUES (app_tenant(), $1, $2::bytea, $3::bytea, $4, $5, $6, $7, $8)"
	    " ON CONFLICT (tenant_id) DO UPDATE SET account_sid = $1, token_ct = $2::bytea,"
	    " token_nonce = $3::bytea, token_key_id = $4, token_last4 = $5,"
	    " messaging_service_sid = $6, from_number = $7, inbound_number = $8,"
	    " version = sms_settings.version + 1", 8, p, NULL);
}

enum status
sms_store_settings_delete(struct db_tx *tx, bool *deleted)
{
	long rows = 0;
	enum status st;

	st = exec(tx, "DELETE FROM sms_settings WHERE tenant_id = app_tenant()", 0, NULL, &rows);
	*deleted = rows > 0;
	return st;
}

/* Opt-outs -------------------------------------------------------------------- */

enum status
sms_store_opted_out(struct db_tx *tx, const char *phone, bool *out)
{
	const char *p[1] = { phone };
	PGresult *res;

	return db_one(tx, "SELECT 1 FROM sms_opt_outs WHERE tenant_id = app_tenant() AND phone = $1",
	    1, p, &res, out);
}

enum status
sms_store_opt_out(struct db_tx *tx, const char *phone, const char *keyword)
{
	const char *p[2] = { phone, keyword };

	return exec(tx, "INSERT INTO sms_opt_outs (tenant_id, phone, keyword)"
	    " VALUES (app_tenant(), $1, $2) ON CONFLICT (tenant_id, phone) DO NOTHING", 2, p,
	    NULL);
}

enum status
sms_store_opt_in(struct db_tx *tx, const char *phone)
{
	const char *p[1] = { phone };

	return exec(tx, "DELETE FROM sms_opt_outs WHERE tenant_id = app_tenant() AND phone = $1",
	    1, p, NULL);
}

/* Allowance ------------------------------------------------------------------- */

#define THIS_MONTH "date_trunc('month', now() AT TIME ZONE 'UTC')::date"

enum status
sms_store_usage_reserve(struct db_tx *tx, long limit, int segments, bool *ok,
    const char **month)
{
	char lim[24], seg[16];
	const char *p[2] = { lim, seg };
	PGresult *res;
	enum status st;

	snprintf(lim, sizeof(lim), "%ld", limit);
	snprintf(seg, sizeof(seg), "%d", segments);
	/* The row exists first, so the update below takes its lock and two
	 * senders cannot both take the last unit. */
	if ((st = exec(tx, "INSERT INTO sms_usage (tenant_id, month) VALUES (app_tenant(), "
	    THIS_MONTH ") ON CONFLICT DO NOTHING", 0, NULL, NULL)) != ST_OK)
		return st;
	if ((st = db_one(tx, "UPDATE sms_usage SET sent = sent + 1, segments = segments + $2::int"
	    " WHERE tenant_id = app_tenant() AND month = " THIS_MONTH
	    " AND ($1::bigint < 0 OR sent < $1::bigint) RETURNING to_char(month, 'YYYY-MM')",
	    2, p, &res, ok)) != ST_OK)
		return st;
	if (*ok) {
		*month = db_val(res, 0, 0);
		return ST_OK;
	}
	return db_scalar(tx, "SELECT to_char(" THIS_MONTH ", 'YYYY-MM')", 0, NULL, month);
}

enum status
sms_store_usage_release(struct db_tx *tx, int segments)
{
	char seg[16];
	const char *p[1] = { seg };

	snprintf(seg, sizeof(seg), "%d", segments);
	return exec(tx, "UPDATE sms_usage SET sent = greatest(sent - 1, 0),"
	    " segments = greatest(segments - $1::int, 0)"
	    " WHERE tenant_id = app_tenant() AND month = " THIS_MONTH, 1, p, NULL);
}

enum status
sms_store_usage_get(struct db_tx *tx, long *sent, long *segments, const char **month)
{
	PGresult *res;
	bool found;
	enum status st;

	if ((st = db_one(tx, "SELECT to_char(" THIS_MONTH ", 'YYYY-MM'), coalesce((SELECT sent"
	    " FROM sms_usage WHERE tenant_id = app_tenant() AND month = " THIS_MONTH "), 0),"
	    " coalesce((SELECT segments FROM sms_usage WHERE tenant_id = app_tenant()"
	    " AND month = " THIS_MONTH "), 0)", 0, NULL, &res, &found)) != ST_OK)
		return st;
	*month = db_val(res, 0, 0);
	*sent = atol(db_val(res, 0, 1));
	*segments = atol(db_val(res, 0, 2));
	return ST_OK;
}

enum status
sms_store_owner_email(struct db_tx *tx, const char **email)
{
	return db_scalar(tx, "SELECT m.email::text FROM auth_tenant_members(NULL, NULL, 101, NULL) m"
	    " WHERE m.role = 'OWNER' ORDER BY m.created_at LIMIT 1", 0, NULL, email);
}

/* Webhooks -------------------------------------------------------------------- */

enum status
sms_store_tenant_by_number(struct db_tx *tx, const char *number, const char **tenant_id)
{
	const char *p[1] = { number };

	return db_scalar(tx, "SELECT sms_tenant_by_number($1)::text", 1, p, tenant_id);
}

enum status
sms_store_status_apply(struct db_tx *tx, const char *message_sid, const char *to_status,
    const char *last_error, bool *updated)
{
	const char *p[3] = { message_sid, to_status, last_error };
	long rows = 0;
	enum status st;

	/* Only forward: a row still sending or sent moves on; a delivered,
	 * failed or bounced one stays as it is, whatever arrives late. */
	st = exec(tx, "UPDATE notification_outbox SET status = $2,"
	    " delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END,"
	    " last_error = CASE WHEN $2 = 'delivered' THEN last_error ELSE $3 END"
	    " WHERE tenant_id = app_tenant() AND channel = 'sms' AND provider_id = $1"
	    " AND status IN ('sending', 'sent')", 3, p, &rows);
	*updated = rows > 0;
	return st;
}

enum status
sms_store_event_ingest(struct db_tx *tx, const char *message_sid, const char *sha_bytea,
    const char *payload, long long *id, bool *inserted)
{
	const char *p[3] = { message_sid, sha_bytea, payload };
	PGresult *res;
	bool found;
	enum status st;

	if ((st = db_one(tx, "SELECT id, inserted FROM webhook_event_ingest('twilio', $1,"
	    " app_tenant(), 'sms.inbound', $2::bytea, $3::jsonb)", 3, p, &res, &found)) != ST_OK)
		return st;
	if (!found)
		return ST_INTERNAL;
	*id = atoll(db_val(res, 0, 0));
	*inserted = db_bool(res, 0, 1);
	return ST_OK;
}

enum status
sms_store_event_payload(struct db_tx *tx, long long id, const char **payload)
{
	char idb[24];
	const char *p[1] = { idb };

	snprintf(idb, sizeof(idb), "%lld", id);
	return db_scalar(tx, "SELECT payload::text FROM webhook_events WHERE id = $1::bigint"
	    " AND provider = 'twilio' AND tenant_id = app_tenant()", 1, p, payload);
}

/* Inbound: who and where ---------------------------------------------------------- */

enum status
sms_store_business(struct db_tx *tx, struct sms_business *out)
{
	PGresult *res;
	bool found;
	enum status st;

	memset(out, 0, sizeof(*out));
	if ((st = db_one(tx, "SELECT business_name, phone, email::text FROM tenant_profiles"
	    " WHERE tenant_id = app_tenant()", 0, NULL, &res, &found)) != ST_OK || !found)
		return st;
	out->name = db_val(res, 0, 0);
	out->phone = db_val(res, 0, 1);
	out->email = db_val(res, 0, 2);
	return ST_OK;
}

enum status
sms_store_customer_by_phone(struct db_tx *tx, const char *phone, const char **customer_id)
{
	const char *p[1] = { phone };

	return db_scalar(tx, "SELECT id::text FROM customers WHERE tenant_id = app_tenant()"
	    " AND phone = $1 AND deleted_at IS NULL", 1, p, customer_id);
}

enum status
sms_store_conversation(struct db_tx *tx, const char *ref, const char *customer_id,
    const char *phone, char conv_id[UUID_STR_LEN + 1], bool *created)
{
	const char *p[3] = { ref, customer_id, phone };
	PGresult *res;
	bool found;
	enum status st;

	/* The thread goes on while the admin would show it open; a closed or
	 * idle-expired one is history, and the customer starts a new one. */
	if ((st = db_one(tx, "SELECT id::text FROM conversations WHERE tenant_id = app_tenant()"
	    " AND channel = 'sms' AND channel_ref = $1 AND status <> 'CLOSED'"
	    " AND (expires_at IS NULL OR expires_at > now())"
	    " ORDER BY last_activity_at DESC LIMIT 1", 1, p, &res, &found)) != ST_OK)
		return st;
	*created = !found;
	if (!found && (st = db_one(tx, "INSERT INTO conversations (tenant_id, channel, channel_ref,"
	    " customer_id, contact) VALUES (app_tenant(), 'sms', $1, $2::uuid,"
	    " jsonb_build_object('phone', $3::text)) RETURNING id::text", 3, p, &res,
	    &found)) != ST_OK)
		return st;
	snprintf(conv_id, UUID_STR_LEN + 1, "%s", db_val(res, 0, 0));
	return ST_OK;
}

enum status
sms_store_plan(struct db_tx *tx, const char **plan)
{
	return db_scalar(tx, "SELECT plan FROM tenants WHERE id = app_tenant()", 0, NULL, plan);
}

enum status
sms_store_usage_set(struct db_tx *tx, long sent)
{
	char s[24];
	const char *p[1] = { s };

	snprintf(s, sizeof(s), "%ld", sent);
	return exec(tx, "INSERT INTO sms_usage (tenant_id, month, sent) VALUES (app_tenant(), "
	    THIS_MONTH ", $1::int) ON CONFLICT (tenant_id, month) DO UPDATE SET sent = $1::int",
	    1, p, NULL);
}
