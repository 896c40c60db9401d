/* calendar_internal.h — what the calendar module's files share, and no
 * other module includes: the pure rules (calendar_rules.c: token bucket,
 * OAuth state tokens, what a sync must do, webhook payloads, busy JSON),
 * the services the routes and jobs call (calendar_service.c,
 * calendar_sync.c), the rows the store reads and writes (calendar_store.c,
 * SQL only), and the outbound-call plumbing (rate limits, connection
 * errors) shared by busy times, sync and the services. */
#ifndef CALENDAR_INTERNAL_H
#define CALENDAR_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"
#include "db/db.h"
#include "modules/audit/audit.h"
#include "modules/calendar/calendar.h"
#include "providers/calendar_provider.h"

#define CALENDAR_MAX_CONNECTIONS 64	/* per busy lookup */
#define CALENDAR_MAX_DAYS 40		/* per busy lookup (availability asks ≤ 31) */
#define CALENDAR_BUSY_BUDGET_MS 5000	/* all provider calls of one busy lookup */
#define CALENDAR_STATE_TTL_S 600	/* an OAuth consent must finish in 10 minutes */
#define CALENDAR_STATE_MAX 256

/* ---- pure rules (calendar_rules.c) ------------------------------------------- */

/* A token bucket: at most burst tokens, refilled at rate per second. */
struct calendar_bucket {
	double tokens;
	double at;		/* when tokens was last brought up to date */
	double blocked_until;	/* a provider's Retry-After; 0 = none */
};

/* The bucket shape for "per_min requests a minute" such that no window of
 * 60 seconds ever holds more than per_min: a burst of per_min / 12 (at
 * least 1) and the rest spread evenly. */
void calendar_bucket_limits(int per_min, double *rate_per_s, double *burst);
/* Brings b up to now and takes one token: 0 when taken, otherwise the
 * seconds until one will be there (nothing taken). A new bucket (at == 0)
 * starts full. */
double calendar_bucket_take(struct calendar_bucket *b, double now, double rate_per_s,
    double burst);

/* OAuth state: "<tenant>.<nonce>.<expiry>.<mac>", mac = base64url of
 * HMAC-SHA256(key, "<tenant>.<nonce>.<expiry>"). URL-safe as it is. */
char *calendar_state_sign(struct arena *a, const unsigned char key[32], const char *tenant_id,
    const char *nonce, long long expires);
/* ST_OK with tenant and nonce (arena copies) when the mac is right and
 * now < expiry; ST_UNAUTHENTICATED otherwise (e says why, for logs). */
enum status calendar_state_verify(struct arena *a, const unsigned char key[32],
    const char *state, long long now, const char **tenant_id, const char **nonce,
    struct err *e) MUST_USE;

enum calendar_sync_action { SYNC_NONE, SYNC_CREATE, SYNC_UPDATE, SYNC_DELETE };

/* What one provider's copy of a booking needs. active: the booking holds
 * its time (anything but CANCELLED); state: booking_calendar_events.state
 * or NULL when there is no row; has_external: the provider gave us an id. */
enum calendar_sync_action calendar_sync_decide(bool active, const char *state,
    bool has_external, int64_t start, int64_t end, int64_t synced_start, int64_t synced_end);
const char *calendar_sync_action_name(enum calendar_sync_action a);

/* A Cal.com webhook delivery, as far as we use it. */
struct calendar_calcom_event {
	const char *trigger;		/* BOOKING_CANCELLED, … */
	const char *uid;		/* payload.uid */
	const char *reschedule_uid;	/* payload.rescheduleUid / rescheduledFromUid, or NULL */
	int64_t start;			/* payload.startTime; 0 if absent */
	bool has_start;
};
/* ST_INVALID when body is not a delivery (no triggerEvent / payload). */
enum status calendar_calcom_event_parse(json_t *body, struct calendar_calcom_event *out) MUST_USE;

/* Busy ranges ⇄ the cache's JSON ([[start, end], …]). */
char *calendar_busy_json(struct arena *a, const struct calendar_ranges *r);
bool calendar_busy_parse(struct arena *a, const char *text, struct calendar_ranges *out);

/* ---- store (calendar_store.c): SQL only ---------------------------------------- */

struct cal_conn_row {
	const char *id, *provider, *staff_id, *external_ref, *status;
	const char *secret_ct, *secret_nonce, *secret_key_id;
	const char *webhook_ct, *webhook_nonce, *webhook_key_id;
	const char *last_error, *last_error_at, *created_at, *updated_at;
};

/* A named UTC range: a day (key YYYY-MM-DD, the tenant's local date, with
 * its UTC bounds) or one of our events on a connection (key its id). */
struct cal_span {
	const char *key;
	int64_t start, end;
};

struct cal_booking {
	const char *id, *reference, *status, *time_zone, *business_name;
	const char *customer_name, *customer_email, *customer_phone, *services, *notes;
	int64_t start, end;
	const char **staff_ids;
	size_t nstaff;
};

struct cal_event_row {
	const char *id, *booking_id, *provider, *external_id, *state, *connection_id;
	const char *last_error;
	int64_t synced_start, synced_end;	/* 0 when unknown */
	int attempts;
};

/* Connections. */
/* Whether the transaction's tenant has any calendar connected and active
 * (not removed, not in error). */
enum status cal_store_any_active(struct db_tx *tx, bool *any) MUST_USE;
/* Enqueues calendar.sync (payload borrowed) when the transaction's tenant
 * has a calendar connected, not removed. */
enum status cal_store_sync_enqueue(struct db_tx *tx, json_t *payload, const char *key) MUST_USE;
enum status cal_store_connections_json(struct db_tx *tx, json_t **items) MUST_USE;
enum status cal_store_connection_get(struct db_tx *tx, const char *id, bool live_only,
    struct cal_conn_row *out) MUST_USE;
/* Live connections of staff_ids (a text[] literal) and the tenant-wide
 * ones: active ones, and with include_errored those in error too. */
enum status cal_store_connections_for_staff(struct db_tx *tx, const char *staff_ids_literal,
    bool include_errored, struct cal_conn_row **out, size_t *n) MUST_USE;
/* Replaces the live connection of (provider, staff) or inserts one (with
 * new_id when not NULL); *id gets its id, *created whether it is new.
 * webhook may be NULL. */
enum status cal_store_connection_put(struct db_tx *tx, const char *provider,
    const char *staff_id, const char *external_ref, const char *ct, const char *nonce,
    const char *key_id, const char *wh_ct, const char *wh_nonce, const char *wh_key_id,
    const char *user_id, const char *new_id, const char **id, bool *created) MUST_USE;
/* The live connection of (provider, staff), or *id NULL. */
enum status cal_store_connection_find(struct db_tx *tx, const char *provider,
    const char *staff_id, const char **id) MUST_USE;
enum status cal_store_connection_delete(struct db_tx *tx, const char *id) MUST_USE;
/* status NULL keeps it; msg NULL clears last_error (only writes when it
 * changes something). */
enum status cal_store_connection_outcome(struct db_tx *tx, const char *id, const char *status,
    const char *msg) MUST_USE;
enum status cal_store_staff_exists(struct db_tx *tx, const char *staff_id, bool *exists) MUST_USE;

/* Busy cache. */
enum status cal_store_days(struct db_tx *tx, int64_t from, int64_t to, struct cal_span **out,
    size_t *n) MUST_USE;
struct cal_cache_row {
	const char *conn_id, *day, *busy;	/* busy: the cache's JSON */
	int64_t age_s;
};

/* Rows of the cache for connections (uuid[] literal) between two days. */
enum status cal_store_cache_load(struct db_tx *tx, const char *conn_ids_literal,
    const char *first_day, const char *last_day, struct cal_cache_row **out,
    size_t *n) MUST_USE;
enum status cal_store_cache_put(struct db_tx *tx, const char *conn_id, const char *day,
    const char *busy_json) MUST_USE;
enum status cal_store_cache_drop(struct db_tx *tx, const char *conn_id) MUST_USE;
/* Our own synced bookings on these connections within [from, to). */
enum status cal_store_own_events(struct db_tx *tx, const char *conn_ids_literal, int64_t from,
    int64_t to, struct cal_span **out, size_t *n) MUST_USE;

/* Rate buckets. */
enum status cal_store_bucket_lock(struct db_tx *tx, const char *provider, double burst,
    struct calendar_bucket *b, double *now) MUST_USE;
enum status cal_store_bucket_save(struct db_tx *tx, const char *provider,
    const struct calendar_bucket *b) MUST_USE;
enum status cal_store_bucket_block(struct db_tx *tx, const char *provider, int seconds) MUST_USE;

/* Sync. */
enum status cal_store_booking(struct db_tx *tx, const char *booking_id, struct cal_booking *out,
    bool *found) MUST_USE;
enum status cal_store_events(struct db_tx *tx, const char *booking_id,
    struct cal_event_row **out, size_t *n) MUST_USE;
/* Upserts the (booking, provider) row. external_id NULL keeps the stored
 * one; synced times 0 keep theirs; last_error NULL clears it;
 * count_attempt adds one to attempts. */
enum status cal_store_event_put(struct db_tx *tx, const char *booking_id, const char *provider,
    const char *connection_id, const char *external_id, const char *state,
    int64_t synced_start, int64_t synced_end, const char *last_error, bool count_attempt) MUST_USE;
/* After a successful delete: the row keeps no external id or times. */
enum status cal_store_event_deleted(struct db_tx *tx, const char *booking_id,
    const char *provider) MUST_USE;
enum status cal_store_event_by_external(struct db_tx *tx, const char *provider,
    const char *external_id, struct cal_event_row *out, bool *found) MUST_USE;
/* Sets needs_review on the booking (and the event row to deleted_remote);
 * *changed is false when it was already set. */
enum status cal_store_flag_review(struct db_tx *tx, const char *booking_id,
    const char *provider, const char *why, bool *changed) MUST_USE;
enum status cal_store_reconcile_candidates(struct db_tx *tx, int limit,
    struct cal_event_row **out, size_t *n) MUST_USE;
enum status cal_store_event_checked(struct db_tx *tx, const char *event_row_id) MUST_USE;
enum status cal_store_sync_status_json(struct db_tx *tx, const char *booking_id, json_t **items)
    MUST_USE;

/* OAuth states. */
enum status cal_store_state_put(struct db_tx *tx, const char *nonce_hash, const char *user_id,
    const char *staff_id, const char *calendar_id, int ttl_s) MUST_USE;
/* Deletes and returns an unexpired state: *found false when there is none
 * (used, expired or never issued). */
enum status cal_store_state_take(struct db_tx *tx, const char *nonce_hash,
    const char **user_id, const char **staff_id, const char **calendar_id, bool *found) MUST_USE;
/* Drops expired states (SECURITY DEFINER, all tenants). */
enum status cal_store_purge_states(struct db_tx *tx) MUST_USE;

/* Webhooks: the SECURITY DEFINER lookups (ids only) and the idempotent
 * store of a delivery (webhook_event_ingest, 0003). */
enum status cal_store_webhook_tenant(struct db_tx *tx, const char *conn_id,
    const char **tenant_id) MUST_USE;
enum status cal_store_webhook_by_uid(struct db_tx *tx, const char *uid, const char **tenant_id,
    const char **conn_id) MUST_USE;
enum status cal_store_webhook_ingest(struct db_tx *tx, const char *event_id, const char *type,
    const char *sha_bytea, const char *payload, const char **id, bool *inserted) MUST_USE;
enum status cal_store_booking_exists(struct db_tx *tx, const char *booking_id, bool *exists)
    MUST_USE;
/* A stored Cal.com delivery's body, or *payload NULL. */
enum status cal_store_webhook_payload(struct db_tx *tx, long long event_id,
    const char **payload) MUST_USE;
/* Tenants with a Google connection (SECURITY DEFINER). */
enum status cal_store_reconcile_tenants(struct db_tx *tx, const char ***tenant_ids,
    size_t *n) MUST_USE;

/* ---- outbound plumbing (calendar_busy.c) ------------------------------------------- */

/* A uuid[] literal ("{a,b}") of the valid uuids among ids[0..n). */
const char *calendar_uuid_array(struct arena *a, const char *const *ids, size_t n);

/* A transaction for tenant_id whose failure is described in e and whose
 * results live in a, not in ctx's: for steps whose failure is logged and
 * never fails the caller. */
enum status calendar_tx_begin_quiet(struct db_tx *tx, const struct ctx *ctx, struct arena *a,
    struct err *e, const char *tenant_id) MUST_USE;
/* A call environment for tenant_id whose before_request spends a token of
 * the tenant's shared bucket for Cal.com (and on_rate_limited blocks the
 * bucket for a 429's Retry-After). */
void calendar_call_init(struct calendar_call *call, const struct ctx *ctx, struct arena *a,
    struct err *e, const char *tenant_id);
/* The connection with its secret opened, for an adapter. */
enum status calendar_conn_open(const struct ctx *ctx, struct arena *a, const char *tenant_id,
    const struct cal_conn_row *row, struct calendar_conn *out, struct err *e) MUST_USE;
/* Records the outcome of a provider call on the connection, in its own
 * transaction: st ST_OK clears last_error; ST_UNAUTHENTICATED puts the
 * connection in "error" (a person must reconnect it); anything else notes
 * the error and keeps it active. Failures to record are logged only. */
void calendar_conn_outcome(const struct ctx *ctx, struct arena *a, const char *tenant_id,
    const char *conn_id, enum status st, const char *msg);

/* ---- services (calendar_service.c): what the routes call -------------------------------- */

/* PUBLIC_BASE_URL without a trailing slash (http://localhost:8080 unset). */
const char *calendar_base_url(const struct ctx *ctx);
/* Where Cal.com posts a connection's deliveries. */
const char *calendar_webhook_url(const struct ctx *ctx, const char *conn_id);
/* Where Google sends the consent back. */
const char *calendar_redirect_uri(const struct ctx *ctx);
#define CALENDAR_CALLBACK_PATH "/v1/calendar/google/callback"

/* The tenant's live connections as JSON (never a secret). */
enum status calendar_connections(const struct ctx *ctx, json_t **items) MUST_USE;

/* Starts a Google consent for staff_id (NULL: the business's calendar). */
struct calendar_authorize {
	const char *authorize_url;
	long long expires;
};
enum status calendar_google_authorize(const struct ctx *ctx, const char *staff_id,
    const char *calendar_id, struct calendar_authorize *out) MUST_USE;
/* Finishes one from Google's redirect (ctx has no tenant: the signed state
 * names it). ST_OK with *admin_query, what the admin page is told
 * ("google=connected&connection=…", "google=denied", "google=error&…");
 * ST_INVALID when the state or the code is no good. */
enum status calendar_google_finish(const struct ctx *ctx, const char *state, const char *code,
    const char *denied, const char **admin_query) MUST_USE;

struct calendar_calcom_input {
	const char *api_key;
	long long event_type_id;
	const char *staff_id;		/* NULL: the business's calendar */
	const char *webhook_secret;	/* NULL: we make one and register the webhook */
};
struct calendar_calcom_result {
	const char *id;
	const char *event_type_id;	/* as stored */
	bool created, webhook_registered;
};
enum status calendar_calcom_connect(const struct ctx *ctx, const struct calendar_calcom_input *in,
    struct calendar_calcom_result *out) MUST_USE;
enum status calendar_connection_remove(const struct ctx *ctx, const char *id) MUST_USE;
enum status calendar_sync_status(const struct ctx *ctx, const char *booking_id, json_t **items)
    MUST_USE;
/* Queues a calendar.sync of the booking now. */
enum status calendar_resync(const struct ctx *ctx, const char *booking_id) MUST_USE;
/* A Cal.com delivery (ctx has no tenant: the connection names it): checks
 * the signature on the raw body, stores the event once under the body's
 * hash and queues calendar.webhook. ST_UNAUTHENTICATED for any signature
 * problem; *duplicate when it was stored before. */
enum status calendar_calcom_receive(const struct ctx *ctx, const char *conn_param,
    const char *signature, const char *body, size_t len, bool *duplicate) MUST_USE;
/* Queues the tenant's reconciliation now (test routes). */
enum status calendar_reconcile_now(const struct ctx *ctx) MUST_USE;

/* ---- sync (calendar_sync.c): what the jobs call ------------------------------------------ */

/* Mirrors the booking at each connected provider. last_attempt: a failure
 * now is final (the event row says "failed"). */
enum status calendar_sync_booking(const struct ctx *ctx, const char *booking_id,
    bool last_attempt) MUST_USE;
/* Acts on a stored Cal.com delivery of conn_id. */
enum status calendar_webhook_apply(const struct ctx *ctx, long long event_id,
    const char *conn_id) MUST_USE;
/* Platform: queues one reconciliation per tenant with a Google connection
 * (at most one per period_s), and drops expired OAuth states. */
enum status calendar_reconcile_all(const struct ctx *ctx, long long period_s) MUST_USE;
/* Asks Google whether the events we made for the tenant still exist. */
enum status calendar_reconcile_tenant(const struct ctx *ctx) MUST_USE;

/* The actors for changes made on a provider's word or by the system. */
extern const struct audit_actor calendar_webhook_actor;
extern const struct audit_actor calendar_system_actor;

#endif
