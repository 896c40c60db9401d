/* reminders_store.c — the reminders module's SQL, and only SQL: settings,
 * the planner's one call, and confirmations. */
#include "modules/reminders/reminders_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

/* "{1440,120}" → ints (the CHECK keeps it to 4 in bounds). */
static void
int_array(const char *s, struct rmd_channel *c)
{
	c->n = 0;
	for (s = s != NULL ? s + 1 : ""; *s != '\0' && *s != '}' && c->n < RMD_MAX_OFFSETS; ) {
		char *end;
		long v = strtol(s, &end, 10);

		if (end == s)
			break;
		c->offsets[c->n++] = (int)v;
		s = *end == ',' ? end + 1 : end;
	}
}

static char *
array_literal(struct db_tx *tx, const struct rmd_channel *c)
{
	char buf[64];
	size_t len = 0;

	buf[len++] = '{';
	for (size_t i = 0; i < c->n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%d", i ? "," : "",
		    c->offsets[i]);
	snprintf(buf + len, sizeof(buf) - len, "}");
	return arena_strdup(tx->arena, buf);
}

enum status
rmd_store_settings_get(struct db_tx *tx, struct rmd_settings *out)
{
	PGresult *res = db_exec(tx, "SELECT s.email_enabled, s.email_offsets::text,"
	    " s.sms_enabled, s.sms_offsets::text, s.quiet_enabled,"
	    " (extract(epoch FROM s.quiet_start) / 60)::int,"
	    " (extract(epoch FROM s.quiet_end) / 60)::int, s.ask_confirmation,"
	    " coalesce(r.version, 0), " DB_RFC3339("r.updated_at")
	    " FROM (SELECT 1) one LEFT JOIN reminder_settings r ON true"
	    " CROSS JOIN LATERAL (SELECT coalesce(r.email_enabled, true) email_enabled,"
	    "  coalesce(r.email_offsets, '{1440,120}') email_offsets,"
	    "  coalesce(r.sms_enabled, true) sms_enabled,"
	    "  coalesce(r.sms_offsets, '{1440,120}') sms_offsets,"
	    "  coalesce(r.quiet_enabled, true) quiet_enabled,"
	    "  coalesce(r.quiet_start, '21:00') quiet_start,"
	    "  coalesce(r.quiet_end, '08:00') quiet_end,"
	    "  coalesce(r.ask_confirmation, true) ask_confirmation) s", 0, NULL);

	if (res == NULL)
		return db_status(tx);
	memset(out, 0, sizeof(*out));
	out->email.enabled = db_bool(res, 0, 0);
	int_array(db_val(res, 0, 1), &out->email);
	out->sms.enabled = db_bool(res, 0, 2);
	int_array(db_val(res, 0, 3), &out->sms);
	out->quiet_enabled = db_bool(res, 0, 4);
	out->quiet_start = atoi(db_val(res, 0, 5));
	out->quiet_end = atoi(db_val(res, 0, 6));
	out->ask_confirmation = db_bool(res, 0, 7);
	out->version = atoi(db_val(res, 0, 8));
	out->updated_at = db_val(res, 0, 9) != NULL ? arena_strdup(tx->arena,
	    db_val(res, 0, 9)) : NULL;
	return ST_OK;
}

enum status
rmd_store_settings_put(struct db_tx *tx, const struct rmd_settings *in, int if_version)
{
	char qs[16], qe[16], ver[16];
	PGresult *res;

	snprintf(qs, sizeof(qs), "%02d:%02d", in->quiet_start / 60, in->quiet_start % 60);
	snprintf(qe, sizeof(qe), "%02d:%02d", in->quiet_end / 60, in->quiet_end % 60);
	snprintf(ver, sizeof(ver), "%d", if_version);
	/* The version check and the write are one statement: a concurrent
	 * writer either sees our version or we see theirs. */
	res = db_exec(tx, "WITH cur AS (SELECT coalesce((SELECT version FROM reminder_settings"
	    "  FOR UPDATE), 0) v)"
	    " INSERT INTO reminder_settings AS r (tenant_id, email_enabled, email_offsets,"
	    " sms_enabled, sms_offsets, quiet_enabled, quiet_start, quiet_end, ask_confirmation)"
	    " SELECT app_tenant(), $1, $2::int[], $3, $4::int[], $5, $6::time, $7::time, $8"
	    " FROM cur WHERE $9::int < 0 OR cur.v = $9::int"
	    " ON CONFLICT (tenant_id) DO UPDATE SET email_enabled = excluded.email_enabled,"
	    " email_offsets = excluded.email_offsets, sms_enabled = excluded.sms_enabled,"
	    " sms_offsets = excluded.sms_offsets, quiet_enabled = excluded.quiet_enabled,"
	    " quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,"
	    " ask_confirmation = excluded.ask_confirmation RETURNING 1", 9,
	    (const char *[]){ in->email.enabled ? "true" : "false", array_literal(tx, &in->email),
	    in->sms.enabled ? "true" : "false", array_literal(tx, &in->sms),
	    in->quiet_enabled ? "true" : "false", qs, qe,
	    in->ask_confirmation ? "true" : "false", ver });

	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return err_set(tx->err, ST_CONFLICT, "The settings were changed by someone else;"
		    " reload and try again.");
	return ST_OK;
}

enum status
rmd_store_plan(struct db_tx *tx, const struct rmd_plan_args *a, struct rmd_plan_batch *io)
{
	char h[16], l[16], lim[16];
	PGresult *res;

	snprintf(lim, sizeof(lim), "%d", a->limit);
	snprintf(h, sizeof(h), "%d", a->horizon_min);
	snprintf(l, sizeof(l), "%d", a->late_min);
	res = db_exec(tx, "SELECT planned, cancelled, examined, last_at::text, last_key"
	    " FROM reminders_plan(coalesce($1::timestamptz, now()),"
	    " make_interval(mins => $2::int), make_interval(mins => $3::int), $4, $5, $6,"
	    " $7::uuid, $8::int, $9::timestamptz, $10)", 10,
	    (const char *[]){ a->now, h, l, a->scheme, a->port, a->platform_domain, a->tenant_id,
	    lim, io->after_at, io->after_key });
	if (res == NULL)
		return db_status(tx);
	io->planned = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	io->cancelled = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	io->examined = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	io->after_at = db_val(res, 0, 3) ? arena_strdup(tx->arena, db_val(res, 0, 3)) : NULL;
	io->after_key = db_val(res, 0, 4) ? arena_strdup(tx->arena, db_val(res, 0, 4)) : NULL;
	return ST_OK;
}

enum status
rmd_store_cancel_booking(struct db_tx *tx, const char *booking_id)
{
	if (db_exec(tx, "SELECT reminders_cancel_booking($1::uuid)", 1,
	    (const char *[]){ booking_id }) == NULL)
		return db_status(tx);
	return ST_OK;
}

/* Confirms the booking picked by `pick` (a subquery naming one bookings.id
 * as "id") and drops its queued nudges: one statement, so a confirmation
 * and its nudge's cancellation cannot part. */
#define CONFIRM(pick) \
	"WITH target AS (" pick ")," \
	" prev AS (SELECT b.id, b.confirmed_at FROM bookings b JOIN target t ON t.id = b.id)," \
	" upd AS (UPDATE bookings b SET confirmed_at = coalesce(b.confirmed_at, now())" \
	"  FROM target t WHERE b.id = t.id AND b.status IN ('PENDING', 'CONFIRMED')" \
	"  AND b.starts_at > now() RETURNING b.id)," \
	" nudge AS (UPDATE notification_outbox o SET status = 'cancelled'," \
	"  last_error = 'booking confirmed' FROM upd" \
	"  WHERE o.booking_id = upd.id AND o.status = 'queued'" \
	"  AND o.template = 'booking.confirm_nudge' RETURNING 1)" \
	" SELECT b.id, b.reference, b.status, extract(epoch FROM b.starts_at)::bigint," \
	" p.confirmed_at IS NOT NULL, b.starts_at <= now(), (SELECT count(*) FROM nudge)" \
	" FROM bookings b JOIN prev p ON p.id = b.id"

static enum status
confirm_row(struct db_tx *tx, PGresult *res, struct rmd_confirm_row *out, bool *found)
{
	*found = false;
	if (res == NULL)
		return db_status(tx);
	if (PQntuples(res) == 0)
		return ST_OK;
	*found = true;
	out->booking_id = arena_strdup(tx->arena, db_val(res, 0, 0));
	out->reference = arena_strdup(tx->arena, db_val(res, 0, 1));
	out->status = arena_strdup(tx->arena, db_val(res, 0, 2));
	out->starts_at = strtoll(db_val(res, 0, 3), NULL, 10);
	out->already = db_bool(res, 0, 4);
	out->started = db_bool(res, 0, 5);
	return ST_OK;
}

enum status
rmd_store_confirm_token(struct db_tx *tx, const char *reference, const char *hash_hex,
    struct rmd_confirm_row *out, bool *found)
{
	return confirm_row(tx, db_exec(tx, CONFIRM("SELECT b.id FROM bookings b"
	    " JOIN booking_confirm_tokens k ON k.tenant_id = b.tenant_id AND k.booking_id = b.id"
	    " WHERE b.reference = $1 AND k.token_hash = $2::bytea"), 2,
	    (const char *[]){ reference, hash_hex }), out, found);
}

enum status
rmd_store_confirm_phone(struct db_tx *tx, const char *phone, struct rmd_confirm_row *out,
    bool *found)
{
	return confirm_row(tx, db_exec(tx, CONFIRM("SELECT b.id FROM bookings b"
	    " JOIN customers c ON c.tenant_id = b.tenant_id AND c.id = b.customer_id"
	    " WHERE c.phone = $1 AND c.deleted_at IS NULL"
	    " AND b.status IN ('PENDING', 'CONFIRMED') AND b.starts_at > now()"
	    " ORDER BY b.confirmed_at IS NULL DESC, b.starts_at, b.id LIMIT 1"), 1,
	    (const char *[]){ phone }), out, found);
}
