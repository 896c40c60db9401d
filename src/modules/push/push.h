/* push.h — Web Push for the admin app: a signed-in user's browsers
 * subscribe (per user and tenant) and receive notifications of handoffs
 * waiting for a human, new bookings and cancellations. */
#ifndef PUSH_H
#define PUSH_H

#include <jansson.h>
#include <stdbool.h>

#include "core/ctx.h"
#include "db/jobs.h"
#include "http/http.h"

/* Limits of a subscription (the browser's PushSubscription JSON). */
#define PUSH_ENDPOINT_MAX 2048
#define PUSH_USER_SUBSCRIPTIONS_MAX 20

/* A subscription as the route parsed it (keys decoded). */
struct push_subscription_in {
	const char *endpoint;
	unsigned char p256dh[65];
	unsigned char auth[16];
	const char *user_agent;		/* NULL or ≤ 512 characters */
};

/* The VAPID public key (base64url) for applicationServerKey; ST_UNAVAILABLE
 * (503, saying push is off) when no keys are configured. */
enum status push_public_key(struct ctx *ctx, const char **key) MUST_USE;
/* Stores (or moves to this user) the subscription; *created tells which. */
enum status push_subscribe(struct ctx *ctx, const struct push_subscription_in *in,
    bool *created) MUST_USE;
/* Removes the caller's subscription with this endpoint (ST_NOTFOUND if none). */
enum status push_unsubscribe(struct ctx *ctx, const char *endpoint) MUST_USE;

/* Checks a push endpoint URL: https (http only with allow_http), a host,
 * no user info or fragment, ≤ PUSH_ENDPOINT_MAX. why names the problem. */
bool push_endpoint_ok(const char *url, bool allow_http, const char **why);

struct db_tx;

/* Enqueues a notification in the caller's transaction (sent only if it
 * commits): event "handoff" (id: the conversation), "booking.created" or
 * "booking.cancelled" (id: the booking). unique_key (or NULL) keeps a retried
 * change from notifying twice. */
enum status push_enqueue(struct db_tx *tx, const char *event, const char *id,
    const char *unique_key) MUST_USE;

extern const struct route_table push_routes;
extern const struct job_table push_job_handlers;

#endif
