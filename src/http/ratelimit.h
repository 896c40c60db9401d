/* ratelimit.h — fixed-window counters for "at most N events per window per
 * key" (sign-in attempts per IP and per account, later widget and chat
 * messages). Shared by every instance through Redis when REDIS_URL is set;
 * counted in-process (a bounded table) when it is not, or while Redis is
 * unreachable, so a Redis outage never locks everyone out nor lets
 * everyone through unlimited. Thread-safe. */
#ifndef HTTP_RATELIMIT_H
#define HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct ratelimit;

/* redis_url: "redis://host[:port][/db]" or NULL for in-process only.
 * local_slots bounds the in-process table (0 = a default of 65536). */
struct ratelimit *ratelimit_new(const char *redis_url, size_t local_slots);
void ratelimit_free(struct ratelimit *rl);

/* Counts one event for key and says whether it is within limit events per
 * window_s seconds. When it is not, *retry_after (if not NULL) gets the
 * seconds until the window ends (at least 1). */
bool ratelimit_hit(struct ratelimit *rl, const char *key, int limit, int window_s,
    int *retry_after);
/* The same question without counting: for limits on failures only (count
 * with ratelimit_hit when the attempt failed). */
bool ratelimit_check(struct ratelimit *rl, const char *key, int limit, int window_s,
    int *retry_after);
/* Forgets key's current window (e.g. after a successful sign-in). */
void ratelimit_reset(struct ratelimit *rl, const char *key, int window_s);

/* For tests: the clock the in-process table uses (NULL = time()). */
void ratelimit_set_clock(struct ratelimit *rl, time_t (*now)(void));
/* True while counts go to Redis. */
bool ratelimit_using_redis(struct ratelimit *rl);

#endif
