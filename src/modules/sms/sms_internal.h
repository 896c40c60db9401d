/* sms_internal.h — shared inside the sms module only: the pure text
 * helpers (sms_text.c), the store (sms_store.c) and the services the
 * routes and jobs call (sms_service.c, sms_webhook_service.c). */
#ifndef SMS_INTERNAL_H
#define SMS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/addr.h"
#include "core/arena.h"
#include "core/ctx.h"
#include "db/db.h"
#include "modules/sms/sms.h"

#define SMS_INBOUND_JOB "sms.inbound"
/* A receptionist reply is cut into at most this many texts. */
#define SMS_REPLY_PARTS_MAX 4
/* Twilio's webhooks are small forms; anything larger is not Twilio. */
#define SMS_WEBHOOK_BODY_MAX (64 * 1024)
#define SMS_WEBHOOK_PARAMS_MAX 128

/* ---- text (sms_text.c) ---------------------------------------------------- */

struct sms_count {
	bool gsm7;	/* fits GSM 03.38 (with its extension table) */
	int units;	/* septets (GSM-7) or UTF-16 units (UCS-2) */
	int segments;
};
void sms_count(const char *body, struct sms_count *out);

/* STOP/START/HELP are answered in the webhook; CONFIRM ("C") and
 * RESCHEDULE ("R"), the replies a reminder invites, go to the inbound job. */
enum sms_keyword { SMS_KW_NONE, SMS_KW_STOP, SMS_KW_START, SMS_KW_HELP, SMS_KW_CONFIRM,
	SMS_KW_RESCHEDULE };
/* The keyword a text is, alone and trimmed, any case; *word the keyword
 * in capitals (static). */
enum sms_keyword sms_keyword(const char *body, const char **word);
/* Cuts text into at most max_parts texts of one segment each, at sentence
 * or word ends where it can; the last part ends with "..." when the text
 * did not fit. Returns the number of parts (≥ 1). */
size_t sms_split(struct arena *a, const char *text, size_t max_parts, const char **parts);

/* ---- store (sms_store.c) --------------------------------------------------- */

struct sms_settings_row {
	bool found;
	const char *account_sid;
	const char *token_ct, *token_nonce, *token_key_id, *token_last4;
	const char *messaging_service_sid;
	const char *from_number;
	const char *inbound_number;
	const char *updated_at;
};

struct sms_settings_put {
	const char *account_sid;		/* NULL: the platform's account */
	const char *token_ct, *token_nonce, *token_key_id, *token_last4;
	const char *messaging_service_sid;
	const char *from_number;
	const char *inbound_number;
};

/* The tenant's plan name (tenants.plan), NULL if unseen. */
enum status sms_store_plan(struct db_tx *tx, const char **plan) MUST_USE;
enum status sms_store_settings_get(struct db_tx *tx, struct sms_settings_row *out) MUST_USE;
enum status sms_store_settings_put(struct db_tx *tx, const struct sms_settings_put *in)
    MUST_USE;
enum status sms_store_settings_delete(struct db_tx *tx, bool *deleted) MUST_USE;

enum status sms_store_opted_out(struct db_tx *tx, const char *phone, bool *out) MUST_USE;
enum status sms_store_opt_out(struct db_tx *tx, const char *phone, const char *keyword)
    MUST_USE;
enum status sms_store_opt_in(struct db_tx *tx, const char *phone) MUST_USE;

/* Takes one text of this month's allowance (limit < 0: unlimited); *ok
 * false when it is used up. *month is "YYYY-MM" (UTC). */
enum status sms_store_usage_reserve(struct db_tx *tx, long limit, int segments, bool *ok,
    const char **month) MUST_USE;
enum status sms_store_usage_release(struct db_tx *tx, int segments) MUST_USE;
/* Tests only: this month's count as given. */
enum status sms_store_usage_set(struct db_tx *tx, long sent) MUST_USE;
enum status sms_store_usage_get(struct db_tx *tx, long *sent, long *segments,
    const char **month) MUST_USE;
/* The first owner's e-mail address; NULL when the business has no owner. */
enum status sms_store_owner_email(struct db_tx *tx, const char **email) MUST_USE;

/* Cross-tenant (SECURITY DEFINER): the tenant whose inbound number this is. */
enum status sms_store_tenant_by_number(struct db_tx *tx, const char *number,
    const char **tenant_id) MUST_USE;
/* Moves the outbox row sent as message_sid forward: to delivered, or to
 * failed/bounced; never backwards (*updated false then). */
enum status sms_store_status_apply(struct db_tx *tx, const char *message_sid,
    const char *to_status, const char *last_error, bool *updated) MUST_USE;
enum status sms_store_event_ingest(struct db_tx *tx, const char *message_sid,
    const char *sha_bytea, const char *payload, long long *id, bool *inserted) MUST_USE;
enum status sms_store_event_payload(struct db_tx *tx, long long id, const char **payload)
    MUST_USE;

struct sms_business {
	const char *name;
	const char *phone;	/* NULL when unset */
	const char *email;
};
enum status sms_store_business(struct db_tx *tx, struct sms_business *out) MUST_USE;
/* The live customer with this phone, or NULL. */
enum status sms_store_customer_by_phone(struct db_tx *tx, const char *phone,
    const char **customer_id) MUST_USE;
/* The open sms conversation keyed by ref, or a new one (customer and
 * contact set); *created says which. */
enum status sms_store_conversation(struct db_tx *tx, const char *ref, const char *customer_id,
    const char *phone, char conv_id[UUID_STR_LEN + 1], bool *created) MUST_USE;

/* ---- services -------------------------------------------------------------- */

struct sms_settings_in {
	bool has_account_sid;	/* the field was present (null clears it) */
	const char *account_sid;
	const char *auth_token;	/* NULL: keep the stored one */
	const char *messaging_service_sid;
	const char *from_number;
	const char *inbound_number;
};

/* GET/PUT/DELETE /v1/admin/sms/settings: the settings as JSON (never the
 * token: "set" and its last 4), with usage and the webhook URLs. */
enum status sms_settings_get(struct ctx *ctx, json_t **out) MUST_USE;
enum status sms_settings_put(struct ctx *ctx, const struct sms_settings_in *in, json_t **out)
    MUST_USE;
enum status sms_settings_delete(struct ctx *ctx) MUST_USE;

/* With ENABLE_TEST_ROUTES: sets this month's count of sent texts. */
enum status sms_test_usage_set(struct ctx *ctx, long sent) MUST_USE;

/* The public URL Twilio calls (PUBLIC_BASE_URL + path), for signatures. */
const char *sms_public_url(const struct ctx *ctx, const char *path_and_query);

/* The webhooks: url is the full URL Twilio requested; body the raw form.
 * Status: ST_OK, or ST_UNAUTHENTICATED / ST_FORBIDDEN when unsigned or
 * forged. Inbound: *twiml the reply document (text/xml). */
enum status sms_status_callback(struct ctx *ctx, const char *url, const char *signature,
    const char *body, size_t len, const char *tenant_param) MUST_USE;
enum status sms_inbound(struct ctx *ctx, const char *url, const char *signature,
    const char *body, size_t len, const char **twiml) MUST_USE;
/* The job: one inbound text through the receptionist, reply by SMS. */
enum status sms_inbound_turn(struct ctx *ctx, long long event_id) MUST_USE;

#endif
