/* metrics.h — request counters and latency histograms by route, kept in
 * atomics so recording never takes a lock, rendered as Prometheus text. */
#ifndef HTTP_METRICS_H
#define HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "http/router.h"

struct metrics;

struct metrics *metrics_new(const struct router *rt);
void metrics_free(struct metrics *m);

/* route_index == ROUTER_MAX_ROUTES for requests that matched no route. */
void metrics_record(struct metrics *m, size_t route_index, int status,
    uint64_t duration_us);
/* Appends the request series (counters and histograms). */
enum status metrics_render(struct metrics *m, struct buf *out) MUST_USE;

#endif
