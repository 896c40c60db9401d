/* reminders_service.c — the reminders rules: settings (validated at the
 * edge, written with the audit row), the planner's run, and confirmations
 * by link or by phone. Each call is one transaction. */
#include "modules/reminders/reminders_service.h"

#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/crypto.h"
#include "db/db.h"
#include "modules/admin/admin.h"
#include "modules/auth/auth.h"

enum status
rmd_settings_get(struct ctx *ctx, struct rmd_settings *out)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	st = rmd_store_settings_get(&tx, out);
	return db_tx_end(&tx, st);
}

static json_t *
hhmm(int m)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%02d:%02d", m / 60, m % 60);
	return json_string(buf);
}

static json_t *
channel_json(const struct rmd_channel *c)
{
	json_t *offs = json_array();

	for (size_t i = 0; i < c->n; i++)
		json_array_append_new(offs, json_integer(c->offsets[i]));
	return json_pack("{s:b, s:o}", "enabled", c->enabled, "offsets_minutes", offs);
}

json_t *
rmd_settings_json(const struct rmd_settings *s)
{
	return json_pack("{s:o, s:o, s:{s:b, s:o, s:o}, s:b, s:i, s:s?}",
	    "email", channel_json(&s->email), "sms", channel_json(&s->sms),
	    "quiet_hours", "enabled", s->quiet_enabled, "start", hhmm(s->quiet_start),
	    "end", hhmm(s->quiet_end), "ask_confirmation", s->ask_confirmation,
	    "version", s->version, "updated_at", s->updated_at);
}

enum status
rmd_settings_put(struct ctx *ctx, const struct rmd_settings *in, int if_version)
{
	struct rmd_settings before;
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = rmd_store_settings_get(&tx, &before)) != ST_OK ||
	    (st = rmd_store_settings_put(&tx, in, if_version)) != ST_OK)
		goto out;
	st = admin_audit(&tx, ctx, "reminders.updated", "reminder_settings", ctx->tenant.id,
	    json_pack("{s:{s:o, s:o}}", "settings", "from", rmd_settings_json(&before),
	    "to", rmd_settings_json(in)));
out:
	return db_tx_end(&tx, st);
}

enum status
rmd_plan(struct ctx *ctx, const char *now, int horizon_min, bool only_tenant,
    long long *planned, long long *cancelled)
{
	char scheme[8], port[8];
	struct rmd_plan_args a = { now, horizon_min > 0 ? horizon_min : RMD_HORIZON_MIN,
		RMD_LATE_MIN, RMD_BATCH, scheme, port, ctx->cfg->platform_domain,
		only_tenant ? ctx_tenant_id(ctx) : NULL };
	struct rmd_plan_batch b = { 0 };
	enum status st = ST_OK;

	auth_link_parts(ctx->cfg->public_base_url, scheme, port);
	*planned = *cancelled = 0;
	/* Batches, each its own transaction, so no statement outgrows the
	 * statement timeout however many reminders fall due at once; a run
	 * stopped half-way is finished by the next (the keys dedupe). */
	for (int n = 0; n < RMD_MAX_BATCHES && !ctx_cancelled(ctx); n++) {
		struct db_tx tx;

		/* No tenant in the transaction: reminders_plan works across
		 * tenants (SECURITY DEFINER), narrowed to one when asked. */
		if ((st = db_tx_begin_as(&tx, ctx, NULL)) != ST_OK)
			return st;
		st = rmd_store_plan(&tx, &a, &b);
		if ((st = db_tx_end(&tx, st)) != ST_OK)
			return st;
		*planned += b.planned;
		*cancelled += b.cancelled;
		if (b.examined < RMD_BATCH)
			break;
	}
	return st;
}

/* Confirms in tx by `by` (link or phone), audits a new confirmation. */
static enum status
confirmed(struct ctx *ctx, struct db_tx *tx, const struct rmd_confirm_row *row,
    const char *by, struct reminders_confirmed *out)
{
	out->booking_id = row->booking_id;
	out->reference = row->reference;
	out->starts_at = row->starts_at;
	out->already = row->already;
	if (strcmp(row->status, "PENDING") != 0 && strcmp(row->status, "CONFIRMED") != 0)
		return err_set(ctx->err, ST_CONFLICT, "This booking was cancelled; there is"
		    " nothing to confirm.");
	if (row->started)
		return err_set(ctx->err, ST_CONFLICT, "This booking has already started.");
	if (row->already)
		return ST_OK;
	return admin_audit(tx, ctx, "booking.customer_confirmed", "booking", row->booking_id,
	    json_pack("{s:{s:n, s:s}}", "confirmed_by", "from", "to", by));
}

enum status
rmd_confirm_token(struct ctx *ctx, const char *reference, const char *token,
    struct reminders_confirmed *out)
{
	struct rmd_confirm_row row;
	unsigned char hash[32];
	struct db_tx tx;
	bool found = false;
	enum status st;

	sec_sha256(token, hash);
	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = rmd_store_confirm_token(&tx, reference, sec_bytea_hex(ctx->arena, hash, 32),
	    &row, &found)) != ST_OK)
		goto out;
	/* One answer for a wrong reference and a wrong token. */
	st = found ? confirmed(ctx, &tx, &row, "link", out) : err_set(ctx->err, ST_NOTFOUND,
	    "This confirmation link is not valid.");
out:
	return db_tx_end(&tx, st);
}

enum status
reminders_confirm_by_phone(struct ctx *ctx, const char *phone_e164,
    struct reminders_confirmed *out)
{
	struct rmd_confirm_row row;
	struct db_tx tx;
	bool found = false;
	enum status st;

	if ((st = db_tx_begin(&tx, ctx)) != ST_OK)
		return st;
	if ((st = rmd_store_confirm_phone(&tx, phone_e164, &row, &found)) != ST_OK)
		goto out;
	st = found ? confirmed(ctx, &tx, &row, "sms", out) : err_set(ctx->err, ST_NOTFOUND,
	    "No upcoming booking for this phone number.");
out:
	return db_tx_end(&tx, st);
}

enum status
reminders_booking_changed(struct db_tx *tx, const char *booking_id)
{
	return rmd_store_cancel_booking(tx, booking_id);
}
