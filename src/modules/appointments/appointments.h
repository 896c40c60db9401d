/* appointments.h — the scheduling module's public header: what the rest
 * of the product mounts (the public booking routes, the admin routes, the
 * job that turns booking events into notifications) and what it calls
 * (availability, holds, bookings, the customer's own booking, the booking
 * rules it shares). Other modules include this header only; the types of
 * the availability engine come with it, as its answers are made of them. */
#ifndef APPOINTMENTS_H
#define APPOINTMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "db/jobs.h"
#include "http/http.h"
#include "modules/appointments/availability.h"

extern const struct route_table appt_public_routes;
extern const struct route_table appt_admin_routes;

/* "notifications.booking" {booking_id, event: confirmed|cancelled|rescheduled}. */
extern const struct job_table appt_job_handlers;

/* Rules ---------------------------------------------------------------------- */

/* Booking references: six characters a person can read out on the phone
 * without ambiguity (no 0/O, no 1/I/L) — the alphabet of the bookings
 * table's CHECK. 31^6 ≈ 887 million of them per tenant. */
#define APPT_REF_LEN 6
#define APPT_REF_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

/* A fresh random reference (libsodium's uniform generator). */
void appt_reference_new(char out[APPT_REF_LEN + 1]);
/* Accepts what a customer may type (any case, surrounding spaces) and
 * writes the canonical upper-case form; false when it cannot be one. */
bool appt_reference_normalize(const char *in, char out[APPT_REF_LEN + 1]);

/* RFC 3339 date-time with an explicit offset ("Z" or ±hh:mm), seconds
 * required, a fraction allowed only when it is zero (a start is a whole
 * second; silently truncating would book another instant). On success
 * *out is the UTC instant. */
bool appt_parse_rfc3339(const char *s, int64_t *out);

/* Hold tokens: "hold_" + 43 characters of base64url (32 random bytes).
 * Only their SHA-256 is stored. */
#define APPT_HOLD_TOKEN_SIZE 49		/* 5 + 43 + NUL */
bool appt_hold_token_ok(const char *s);

/* Lower-cases a UUID (ids are compared as text downstream). */
char *appt_lower(struct arena *a, const char *s);

/* Catalog, bookings and the world they are decided in ------------------------ */

/* One service of a bundle, as asked for. */
struct appt_item_req {
	const char *service_id;
	const char **addon_ids;
	size_t n_addons;
};

struct appt_addon {
	const char *id;
	const char *name;
	const char *currency;
	int duration_min;
	int price_minor;
};

struct appt_service {
	bool found;			/* active and not deleted */
	const char *id;
	const char *name;
	const char *currency;
	int duration_min;
	int price_minor;
	struct appt_addon *addons;	/* the requested add-ons, in request order */
	size_t n_addons;
	const char *missing_addon;	/* first requested add-on that is not this
					 * service's (or not active), else NULL */
};

struct appt_settings {
	const char *zone;		/* IANA */
	int min_notice_min;
	int max_days_ahead;
	int step_min;
	int hold_min;
	int cancel_window_h;
};

/* Everything the engine needs for a request, plus what replies show. */
struct appt_world {
	struct appt_settings settings;
	struct appt_service *services;		/* n_items, in request order */
	const char *flat_missing;		/* a flat add-on of none of them */
	struct avail_service *avail_services;	/* n_items, for the engine */
	size_t n_services;
	struct avail_staff *staff;		/* eligible for any service, by id */
	const char **staff_names;
	size_t n_staff;
	struct avail_resource *resources;
	size_t n_resources;
	struct avail_hours *hours;
	size_t n_hours;
	int32_t *closures;
	size_t n_closures;
	struct avail_booking *bookings;		/* live claims, by start */
	size_t n_bookings;
	struct avail_day_count *day_counts;
	size_t n_day_counts;
};

struct appt_customer_in {
	const char *name;
	const char *email;	/* NULL or valid */
	const char *phone;	/* NULL or E.164 */
	bool sms_consent;
};

struct appt_view_item {
	const char *service_id, *service_name, *staff_id, *staff_name;
	int64_t start, end;
	int price_minor;
	const char **addon_ids, **addon_names;
	size_t n_addons;
	const char *resources;		/* JSON [{id, name}]: the units it holds */
};

/* A booking as the API shows it. */
struct appt_view {
	const char *id, *reference, *status, *source, *notes, *currency, *cancel_reason;
	int64_t start, end;
	bool cancelled;
	int64_t cancelled_at;
	int64_t created_at, updated_at;
	long total_minor;
	int version;
	bool needs_review;
	bool confirmed;			/* by the customer (a reminder's link, "C") */
	int64_t confirmed_at;
	const char *customer_id, *customer_name, *customer_email, *customer_phone;
	struct appt_view_item *items;
	size_t n_items;
};

/* Services ------------------------------------------------------------------- */

/* A service of a bundle as the caller named it, with the request fields
 * to blame when it is not bookable. */
struct appt_item_in {
	struct appt_item_req req;
	const char *field;		/* "service_id", "services[1].service_id" */
	const char *addon_field;	/* "addon_ids", "services[1].addon_ids" */
};

struct appt_avail_query {
	struct appt_item_in items[AVAIL_MAX_SERVICES];
	size_t n_items;
	const char **addon_ids;		/* for the bundle (field "addon_ids") */
	size_t n_addons;
	int32_t date;			/* first local date */
	int days;
	const char *staff_id;		/* preferred, or NULL */
};

struct appt_avail_answer {
	const char *zone;
	struct avail_result result;
	const struct appt_world *world;	/* names for the reply */
};

enum status appt_availability(struct ctx *ctx, const struct appt_avail_query *q,
    struct appt_avail_answer *out) MUST_USE;

struct appt_hold_in {
	struct appt_item_in items[AVAIL_MAX_SERVICES];
	size_t n_items;
	const char **addon_ids;		/* for the bundle (field "addon_ids") */
	size_t n_addons;
	int64_t start;
	const char *staff_id;
};

struct appt_hold_out {
	const char *id;
	char token[APPT_HOLD_TOKEN_SIZE];
	int64_t expires_at;
	struct avail_slot slot;
	const struct appt_world *world;
};

enum status appt_hold_create(struct ctx *ctx, const struct appt_hold_in *in,
    struct appt_hold_out *out) MUST_USE;

struct appt_book_in {
	struct appt_item_in items[AVAIL_MAX_SERVICES];
	size_t n_items;
	int64_t start;
	const char *staff_id;		/* preferred, or NULL */
	const char *hold_token;		/* the caller's hold, or NULL */
	struct appt_customer_in customer;	/* public: who is booking */
	const char *customer_id;	/* admin: an existing customer instead */
	const char *notes;
	const char *source;		/* bookings.source */
	bool admin;			/* the admin API: admin reply, principal as actor */
	bool override_notice;		/* admin only: ignore minimum notice and horizon */
	const char *idem_key;
	const char *body;		/* the raw body, for the idempotency hash */
	size_t body_len;
};

/* The reply, rendered once so a retry with the same key gets it again
 * byte for byte. */
struct appt_reply {
	int status;
	const char *body;
};

enum status appt_book(struct ctx *ctx, const struct appt_book_in *in,
    struct appt_reply *out) MUST_USE;

/* The customer's proof: the booking reference and their e-mail or phone. */
struct appt_verify {
	const char *reference;		/* normalized */
	const char *email;
	const char *phone;
};

/* A booking and how it is to be shown. */
struct appt_shown {
	struct appt_view view;
	const char *zone;
	int cancel_window_h;
};

enum status appt_public_get(struct ctx *ctx, const struct appt_verify *v,
    struct appt_shown *out) MUST_USE;
enum status appt_public_cancel(struct ctx *ctx, const struct appt_verify *v,
    const char *reason, struct appt_shown *out) MUST_USE;
enum status appt_public_reschedule(struct ctx *ctx, const struct appt_verify *v,
    int64_t start, const char *staff_id, struct appt_shown *out) MUST_USE;

/* Query-string pairs the appointment routes accept at most. */
#define APPT_QPARAMS_MAX 32

#endif
