/* waitlist_service.h — the waitlist's rules, for its routes and jobs. */
#ifndef WAITLIST_SERVICE_H
#define WAITLIST_SERVICE_H

#include "core/crypto.h"
#include "core/ctx.h"
#include "modules/waitlist/waitlist.h"
#include "modules/waitlist/waitlist_store.h"

/* How long each person's turn lasts before the next one is asked (never
 * past the slot's start). Half an hour: long enough to see a text, short
 * enough that a slot in the afternoon can go round several people. */
#define WL_TURN_S (30 * 60)
/* At most this many entries in the owner's list. */
#define WL_LIST_MAX 200

#define WL_SLOT_FREED_JOB "waitlist.slot_freed"
#define WL_OFFER_EXPIRED_JOB "waitlist.offer_expired"

/* The join itself is waitlist_join (waitlist.h). */
enum status wl_leave(struct ctx *ctx, const char *token) MUST_USE;
/* The owner's removal (audited "waitlist.removed"). */
enum status wl_remove(struct ctx *ctx, const char *id) MUST_USE;

/* Offers the slot to the next waiting person unless someone's turn is
 * still running or the slot is settled; a slot no longer free is settled
 * here (its people told). *offered says whether an offer went out. */
enum status wl_offer_next(struct ctx *ctx, const struct wl_slot *s, bool *offered) MUST_USE;

struct wl_accepted {
	const char *booking_id, *reference;
	int64_t start;
	bool already;		/* this link booked it before */
};

/* The offer's link, confirmed: books the slot through the booking
 * service; ST_CONFLICT when it went to someone else first. */
enum status wl_accept(struct ctx *ctx, const char *token, struct wl_accepted *out) MUST_USE;

enum status wl_list(struct ctx *ctx, const char *status, int limit,
    struct wl_entry_row **out, size_t *n) MUST_USE;
enum status wl_summary(struct ctx *ctx, struct wl_summary *out) MUST_USE;

/* Test routes: ends every open turn of ctx's tenant now and moves on. */
enum status wl_expire_now(struct ctx *ctx, size_t *offered) MUST_USE;

#endif
