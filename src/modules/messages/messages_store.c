/* messages_store.c — the outboxes' SQL. Tenant rows are written and read
 * under the tenant's RLS; the cross-tenant claim and the record of an
 * attempt go through 0020's SECURITY DEFINER functions. */
#include "modules/messages/messages_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

static char *
dump(struct db_tx *tx, json_t *v)
{
	char *s = json_dumps(v != NULL ? v : json_object(), JSON_COMPACT);

	if (s == NULL)
		abort();
	arena_defer(tx->arena, free, s);
	return s;
}

static char *
num(struct db_tx *tx, long long v)
{
	return arena_printf(tx->arena, "%lld", v);
}

enum status
messages_store_insert(struct db_tx *tx, const struct message_new *m, bool platform)
{
	const char *p[7] = { m->channel == MESSAGE_SMS ? "sms" : "email", m->recipient,
		m->template_name, dump(tx, m->payload), m->dedupe_key, m->booking_id,
		m->send_at > 0 ? num(tx, (long long)m->send_at) : NULL };

	if (platform) {
		if (db_exec(tx, "SELECT messages_queue_platform($2, $3, $4::jsonb, $5,"
		    " to_timestamp($7::bigint)) WHERE $1 = 'email' AND $6::uuid IS NULL", 7, p) == NULL)
			return db_status(tx);
		return ST_OK;
	}
	if (db_exec(tx, "INSERT INTO notification_outbox (tenant_id, channel, recipient, template,"
	    " payload, dedupe_key, booking_id, next_attempt_at) VALUES (app_tenant(), $1, $2, $3,"
	    " $4::jsonb, $5, $6::uuid, coalesce(to_timestamp($7::bigint), now()))"
	    " ON CONFLICT (tenant_id, dedupe_key) DO NOTHING", 7, p) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
messages_store_business_recipients(struct db_tx *tx, const char *staff_id, const char ***emails,
    size_t *n)
{
	PGresult *res = db_exec(tx, "SELECT DISTINCT e FROM (SELECT conversation_notify_recipient() e"
	    " UNION ALL SELECT s.email::text FROM staff s WHERE s.id = $1::uuid"
	    " AND s.deleted_at IS NULL) x WHERE e IS NOT NULL", 1, (const char *[]){ staff_id });

	*n = 0;
	if (res == NULL)
		return db_status(tx);
	*emails = arena_alloc(tx->arena, (size_t)(PQntuples(res) + 1) * sizeof(**emails));
	for (int i = 0; i < PQntuples(res); i++)
		(*emails)[(*n)++] = db_val(res, i, 0);
	return ST_OK;
}

enum status
messages_store_cancel_booking(struct db_tx *tx, const char *booking_id, const char *key_prefix)
{
	if (db_exec(tx, "UPDATE notification_outbox SET status = 'cancelled'"
	    " WHERE tenant_id = app_tenant() AND booking_id = $1::uuid AND status = 'queued'"
	    " AND ($2::text IS NULL OR starts_with(dedupe_key, $2))", 2,
	    (const char *[]){ booking_id, key_prefix }) == NULL)
		return db_status(tx);
	return ST_OK;
}

static void
claim_fill(PGresult *res, int i, void *elem, struct arena *a)
{
	struct msg_row *r = elem;

	(void)a;
	*r = (struct msg_row){ db_val(res, i, 0), db_val(res, i, 1), db_val(res, i, 2),
		db_val(res, i, 3), db_val(res, i, 4), db_val(res, i, 5), db_val(res, i, 7),
		atoi(PQgetvalue(res, i, 6)) };
}

enum status
messages_store_claim(struct db_tx *tx, int limit, struct msg_row **rows, size_t *n)
{
	return db_rows(tx, "SELECT tenant_id, id, channel, recipient, template, payload::text,"
	    " attempts, booking_id FROM messages_claim($1::int)", 1,
	    (const char *[]){ num(tx, limit) }, sizeof(**rows), claim_fill, (void **)rows, n);
}

enum status
messages_store_record(struct db_tx *tx, const struct msg_row *row, const char *status,
    const char *provider_id, int segments, const char *error, int retry_s, bool refund)
{
	const char *p[8] = { row->tenant_id, row->id, status, provider_id,
		segments > 0 ? num(tx, segments) : NULL, error, num(tx, retry_s),
		refund ? "true" : "false" };

	if (db_exec(tx, "SELECT messages_record($1::uuid, $2::uuid, $3, $4, $5::int, $6, $7::int,"
	    " $8::boolean)", 8, p) == NULL)
		return db_status(tx);
	return ST_OK;
}

enum status
messages_store_tenant(struct db_tx *tx, struct msg_tenant *out)
{
	PGresult *res = db_exec(tx, "SELECT coalesce(b.display_name, p.business_name, t.slug),"
	    " coalesce(b.primary_color, '#2563eb'), coalesce(b.accent_color, '#1e40af'),"
	    " b.logo_url, p.email::text, nullif(concat_ws(', ', p.address_line1, p.address_line2,"
	    " p.city, p.region, p.postal_code), ''), coalesce(p.timezone, 'UTC'), t.plan, t.slug"
	    " FROM tenants t LEFT JOIN tenant_profiles p ON p.tenant_id = t.id"
	    " LEFT JOIN tenant_branding b ON b.tenant_id = t.id WHERE t.id = app_tenant()", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) != 1)
		return ST_NOTFOUND;
	*out = (struct msg_tenant){ db_val(res, 0, 0), db_val(res, 0, 1), db_val(res, 0, 2),
		db_val(res, 0, 3), db_val(res, 0, 4), db_val(res, 0, 5), db_val(res, 0, 6),
		db_val(res, 0, 7), db_val(res, 0, 8) };
	return ST_OK;
}

#define MSG_JSON "json_build_object('id', id, 'channel', channel, 'recipient', recipient," \
	" 'template', template, 'payload', payload, 'status', status, 'attempts', attempts," \
	" 'last_error', last_error, 'provider_id', provider_id, 'segments', segments," \
	" 'booking_id', booking_id, 'dedupe_key', dedupe_key," \
	" 'next_attempt_at', " DB_RFC3339_US("next_attempt_at") "," \
	" 'created_at', " DB_RFC3339_US("created_at") "," \
	" 'updated_at', " DB_RFC3339_US("updated_at") "," \
	" 'sent_at', " DB_RFC3339_US("sent_at") "," \
	" 'delivered_at', " DB_RFC3339_US("delivered_at") ")::text"

enum status
messages_store_list(struct db_tx *tx, const struct msg_filter *f, json_t **items,
    const char **next_ts, const char **next_id)
{
	const char *p[5] = { f->after_ts, f->after_id, num(tx, f->limit + 1), f->status, f->channel };
	PGresult *res = db_exec(tx, "SELECT " MSG_JSON ", created_at::text, id::text"
	    " FROM notification_outbox WHERE tenant_id = app_tenant()"
	    " AND ($1::text IS NULL OR (created_at, id) < ($1::timestamptz, $2::uuid))"
	    " AND ($4::text IS NULL OR status = $4 OR ($4 = 'failed'"
	    "   AND status IN ('failed', 'dead', 'bounced')))"
	    " AND ($5::text IS NULL OR channel = $5)"
	    " ORDER BY created_at DESC, id DESC LIMIT $3::int", 5, p);
	int n;

	*items = json_array();
	*next_ts = *next_id = NULL;
	if (res == NULL)
		return db_status(tx);
	n = PQntuples(res);
	for (int i = 0; i < n && i < f->limit; i++)
		json_array_append_new(*items, json_loads(db_val(res, i, 0), 0, NULL));
	if (n > f->limit) {
		*next_ts = db_val(res, f->limit - 1, 1);
		*next_id = db_val(res, f->limit - 1, 2);
	}
	return ST_OK;
}

enum status
messages_store_retry(struct db_tx *tx, const char *id, json_t **out, bool *found)
{
	/* Sending a bounced message again means someone checked the address:
	 * it comes off the bounce list (0026) in the same statement. */
	PGresult *res = db_exec(tx, "WITH unlisted AS (DELETE FROM email_bounces b"
	    "   USING notification_outbox n WHERE n.tenant_id = app_tenant() AND n.id = $1::uuid"
	    "   AND n.status = 'bounced' AND b.tenant_id = n.tenant_id"
	    "   AND b.email = n.recipient::citext)"
	    " UPDATE notification_outbox SET status = 'queued',"
	    " attempts = 0, next_attempt_at = now(), last_error = NULL"
	    " WHERE tenant_id = app_tenant() AND id = $1::uuid"
	    " AND status IN ('failed', 'dead', 'bounced', 'sending') RETURNING " MSG_JSON, 1,
	    (const char *[]){ id });

	*found = false;
	*out = NULL;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) != 1)
		return ST_OK;
	*found = true;
	*out = json_loads(db_val(res, 0, 0), 0, NULL);
	return ST_OK;
}

enum status
messages_store_continue(struct db_tx *tx, const char *key)
{
	if (db_exec(tx, "SELECT jobs_enqueue_platform('messages.send', '{}', $1, now())", 1,
	    (const char *[]){ key }) == NULL)
		return db_status(tx);
	return ST_OK;
}

/* Unsubscribe ------------------------------------------------------------------ */

/* The reminder templates a customer can stop (everything else answers
 * something they did: a booking made, moved or cancelled). */
#define STOPPABLE "('booking.reminder', 'booking.confirm_nudge')"

enum status
messages_store_unsubscribe(struct db_tx *tx, const char *message_id, const char *source,
    bool *found)
{
	PGresult *res;
	enum status st;

	/* The message names the address; queued reminders to it stop at once. */
	if ((st = db_one(tx, "WITH m AS (SELECT recipient FROM notification_outbox"
	    "  WHERE tenant_id = app_tenant() AND id = $1::uuid AND channel = 'email'),"
	    " o AS (INSERT INTO email_optouts (tenant_id, email, source)"
	    "  SELECT app_tenant(), recipient, $2 FROM m ON CONFLICT DO NOTHING)"
	    " UPDATE notification_outbox n SET status = 'suppressed',"
	    "  last_error = 'the customer unsubscribed from reminder e-mails'"
	    " FROM m WHERE n.tenant_id = app_tenant() AND n.channel = 'email'"
	    "  AND n.status = 'queued' AND n.template IN " STOPPABLE
	    "  AND lower(n.recipient) = lower(m.recipient)"
	    " RETURNING 1", 2, (const char *[]){ message_id, source }, &res, found)) != ST_OK)
		return st;
	if (*found)
		return ST_OK;
	/* No queued reminder left to stop: still, was the message there? */
	return db_one(tx, "SELECT 1 FROM notification_outbox WHERE tenant_id = app_tenant()"
	    " AND id = $1::uuid AND channel = 'email'", 1, (const char *[]){ message_id }, &res,
	    found);
}

enum status
messages_store_email_block(struct db_tx *tx, const char *template_name, const char *email,
    enum msg_block *out)
{
	PGresult *res;
	bool found;
	enum status st;

	*out = MSG_BLOCK_NONE;
	st = db_one(tx, "SELECT CASE WHEN EXISTS (SELECT 1 FROM email_bounces"
	    "   WHERE tenant_id = app_tenant() AND email = $2::citext) THEN 'b'"
	    " WHEN $1 IN " STOPPABLE " AND EXISTS (SELECT 1 FROM email_optouts"
	    "   WHERE tenant_id = app_tenant() AND email = $2::citext) THEN 'u' ELSE '' END", 2,
	    (const char *[]){ template_name, email }, &res, &found);
	if (st == ST_OK && found)
		*out = db_val(res, 0, 0)[0] == 'b' ? MSG_BLOCK_BOUNCED :
		    db_val(res, 0, 0)[0] == 'u' ? MSG_BLOCK_UNSUBSCRIBED : MSG_BLOCK_NONE;
	return st;
}
