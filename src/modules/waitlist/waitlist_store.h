/* waitlist_store.h — the waitlist module's SQL. */
#ifndef WAITLIST_STORE_H
#define WAITLIST_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/status.h"

struct db_tx;

struct wl_entry_new {
	const char *service_id;
	const char *day;		/* YYYY-MM-DD, tenant-local */
	const char *part_of_day;	/* any | morning | afternoon | evening */
	const char *name, *email, *phone;
	const char *channel;		/* email | sms */
	const char *source;
};

/* Why a join cannot be taken, before the insert is tried. */
struct wl_join_check {
	bool service_ok;	/* active, not deleted */
	bool day_ok;		/* today or later, within the booking horizon */
};

enum status wl_store_join_check(struct db_tx *tx, const char *service_id, const char *day,
    struct wl_join_check *out) MUST_USE;
/* Inserts the entry; ST_CONFLICT (23505) when the person already waits for
 * that service and day. */
enum status wl_store_join(struct db_tx *tx, const struct wl_entry_new *in,
    const char *leave_hash, const char **id, const char **created_at) MUST_USE;
/* A freed time, as the offers carry it. */
struct wl_slot {
	const char *key;
	const char *service_id, *staff_id;
	int64_t start;
};

/* An entry taken off the list, and the slot of an offer whose turn was
 * running (turn.key NULL when none). */
struct wl_left {
	const char *entry_id;
	struct wl_slot turn;
};

/* Takes the waiting entry whose leave token hashes to leave_hash (or the
 * entry `id`) off the list and withdraws its offers still out: one row per
 * running turn it ends, at least one when found (*n 0: none waiting). */
enum status wl_store_leave(struct db_tx *tx, const char *leave_hash, struct wl_left **out,
    size_t *n) MUST_USE;
enum status wl_store_remove(struct db_tx *tx, const char *id, struct wl_left **out,
    size_t *n) MUST_USE;

/* See waitlist_person_erase. */
enum status wl_store_erase(struct db_tx *tx, const char *email, const char *phone,
    long long *n) MUST_USE;

/* Serialises the offers of one slot (a transaction-scoped lock). */
enum status wl_store_lock_slot(struct db_tx *tx, const char *slot_key) MUST_USE;

struct wl_slot_state {
	bool settled;		/* booked or gone: nothing more to offer */
	bool turn_open;		/* someone's turn has not ended yet */
};

/* Ends the turns whose time is up (open → passed) and says where the slot
 * stands. */
enum status wl_store_slot_state(struct db_tx *tx, const char *slot_key,
    struct wl_slot_state *out) MUST_USE;

/* The next waiting entry for the slot, with what its offer says. */
struct wl_next {
	const char *entry_id, *name, *email, *phone, *channel;
	const char *service_name;
};

enum status wl_store_next_entry(struct db_tx *tx, const struct wl_slot *s,
    struct wl_next *out, bool *found) MUST_USE;

enum status wl_store_offer_insert(struct db_tx *tx, const struct wl_slot *s,
    const char *entry_id, const char *token_hash, int ttl_s, const char **offer_id,
    int64_t *expires_at) MUST_USE;

/* Someone to tell the slot went. */
struct wl_told {
	const char *offer_id, *name, *recipient, *channel, *service_name;
};

/* Marks the open and passed offers of the slot (other than except_id,
 * which may be NULL) gone, and lists their people. */
enum status wl_store_slot_gone(struct db_tx *tx, const char *slot_key, const char *except_id,
    struct wl_told **out, size_t *n) MUST_USE;

/* An offer as its link finds it. */
struct wl_offer {
	const char *id, *status, *slot_key, *entry_id, *entry_status;
	const char *service_id, *staff_id, *booking_id, *reference;
	const char *name, *email, *phone, *channel;
	int64_t start;
};

/* The offer (locked FOR UPDATE) whose token hashes to token_hash. */
enum status wl_store_offer_by_token(struct db_tx *tx, const char *token_hash,
    struct wl_offer *out, bool *found) MUST_USE;
/* Moves an offer still in play (open, passed, accepting) to status. */
enum status wl_store_offer_set(struct db_tx *tx, const char *id, const char *status) MUST_USE;
/* The offer booked (its entry too); the entry's other offers cancelled. */
enum status wl_store_offer_booked(struct db_tx *tx, const struct wl_offer *o,
    const char *booking_id) MUST_USE;

struct wl_entry_row {
	const char *id, *service_id, *service_name, *day, *part_of_day, *name, *email, *phone;
	const char *channel, *status, *source, *created_at, *booking_id;
	long long offers;
};

/* The tenant's entries, newest first; status NULL for all. */
enum status wl_store_list(struct db_tx *tx, const char *status, int limit,
    struct wl_entry_row **out, size_t *n) MUST_USE;

struct wl_summary {
	long long waiting, refilled, revenue_minor;
	const char *currency;		/* of the revenue; NULL when nothing was refilled */
};

enum status wl_store_summary(struct db_tx *tx, struct wl_summary *out) MUST_USE;

/* The test route: the slots whose open offers it ended now. */
enum status wl_store_expire_all(struct db_tx *tx, struct wl_slot **out, size_t *n) MUST_USE;

#endif
