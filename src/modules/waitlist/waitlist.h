/* waitlist.h — customers waiting for a service on a day (issue 12). When a
 * booking is cancelled or moved, the slot it frees is offered to the
 * waiting customers one at a time, in the order they joined, by e-mail or
 * SMS with a signed link; whoever confirms first books it through the
 * normal booking path, and the others are told it went. What other modules
 * use: the routes and jobs the registry mounts, and the hook the booking
 * service calls in the transaction that frees a slot. */
#ifndef WAITLIST_H
#define WAITLIST_H

#include <stdint.h>

#include "core/crypto.h"
#include "core/ctx.h"
#include "core/status.h"
#include "db/jobs.h"
#include "http/router.h"

struct db_tx;

/* POST /v1/public/waitlist, /v1/public/waitlist/leave,
 * /v1/public/waitlist/offers/accept; GET/DELETE /v1/admin/waitlist… */
extern const struct route_table waitlist_routes;
/* POST /v1/test/waitlist/expire: ends every open offer's turn now. */
extern const struct route_table waitlist_test_routes;
/* "waitlist.slot_freed" and "waitlist.offer_expired". */
extern const struct job_table waitlist_job_handlers;

/* A customer joining, from the public route or the receptionist (its
 * conversation, tool join_waitlist): the same checks, the same limit. */
struct waitlist_join_in {
	const char *service_id;		/* lower case */
	const char *day;		/* YYYY-MM-DD, the business's */
	const char *part_of_day;	/* any | morning | afternoon | evening */
	const char *name, *email, *phone;
	const char *channel;		/* email | sms (phone and consent given) */
	const char *source;		/* portal | widget | ai */
	const char *client;		/* the caller's address, for the rate limit */
};

struct waitlist_joined {
	const char *id, *created_at, *channel;
	char leave_token[SEC_TOKEN_CHARS + 1];	/* shown once: the way to leave */
};

/* At most cfg->waitlist_joins_per_hour joins per client and business
 * (ST_RATE_LIMITED with retry_after), then the entry's rules: ST_INVALID
 * (with details) for a service not bookable or a day outside the booking
 * horizon, ST_CONFLICT when the person already waits for that service and
 * day. Audited ("waitlist.joined"). */
enum status waitlist_join(struct ctx *ctx, const struct waitlist_join_in *in,
    struct waitlist_joined *out) MUST_USE;

/* One service's time of a booking that was just cancelled or moved away
 * from. */
struct waitlist_freed {
	const char *booking_id;
	int version;		/* the booking's version after the change */
	int position;		/* the item's place in its bundle */
	const char *service_id, *staff_id;
	int64_t start;		/* epoch seconds */
};

/* Enqueues, in the caller's transaction (its tenant's), the job that
 * offers the freed time to the waitlist; nothing for a time already past. */
enum status waitlist_slot_freed(struct db_tx *tx, const struct waitlist_freed *f) MUST_USE;

/* The customer's erasure (appt_customer_erase, in its transaction): their
 * entries found by e-mail (any case) or phone lose name and addresses, stop
 * waiting, and their offers still out are withdrawn. *n: entries erased. */
enum status waitlist_person_erase(struct db_tx *tx, const char *email, const char *phone,
    long long *n) MUST_USE;

#endif
