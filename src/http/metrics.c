/* metrics.c — fixed-size atomic counters: one slot per (route, status) and
 * one histogram per route. Sized at start from the route table, so
 * recording allocates nothing. */
#include "http/metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The statuses we count one by one; anything else lands in "other". */
static const int statuses[] = { 200, 201, 204, 301, 302, 304, 400, 401, 403,
	404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 504 };
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1)

/* Upper bounds in microseconds. */
static const uint64_t buckets_us[] = { 500, 1000, 2500, 5000, 10000, 25000,
	50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000 };
#define NBUCKET (sizeof(buckets_us) / sizeof(buckets_us[0]))

struct route_series {
	_Atomic uint64_t by_status[NSTATUS];
	_Atomic uint64_t bucket[NBUCKET + 1];	/* last = +Inf */
	_Atomic uint64_t sum_us;
};

struct metrics {
	const struct router *rt;
	struct route_series series[ROUTER_MAX_ROUTES + 1];
};

struct metrics *
metrics_new(const struct router *rt)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		abort();
	m->rt = rt;
	return m;
}

void
metrics_free(struct metrics *m)
{
	free(m);
}

static size_t
status_slot(int status)
{
	for (size_t i = 0; i < NSTATUS - 1; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS - 1;
}

void
metrics_record(struct metrics *m, size_t route_index, int status, uint64_t us)
{
	struct route_series *s;
	size_t b = 0;

	if (route_index > ROUTER_MAX_ROUTES)
		route_index = ROUTER_MAX_ROUTES;
	s = &m->series[route_index];
	atomic_fetch_add_explicit(&s->by_status[status_slot(status)], 1, memory_order_relaxed);
	while (b < NBUCKET && us > buckets_us[b])
		b++;
	atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->sum_us, us, memory_order_relaxed);
}

static const char *
route_name(const struct metrics *m, size_t i)
{
	return i < m->rt->n ? m->rt->routes[i].name : "unmatched";
}

enum status
metrics_render(struct metrics *m, struct buf *out)
{
	enum status st = ST_OK;
	size_t nroutes = m->rt->n;

	st = buf_puts(out, "# HELP http_requests_total Requests by route and status.\n"
	    "# TYPE http_requests_total counter\n");
	for (size_t i = 0; i <= ROUTER_MAX_ROUTES && st == ST_OK; i++) {
		struct route_series *s = &m->series[i];

		if (i >= nroutes && i != ROUTER_MAX_ROUTES)
			continue;
		for (size_t k = 0; k < NSTATUS && st == ST_OK; k++) {
			uint64_t v = atomic_load_explicit(&s->by_status[k], memory_order_relaxed);
			char code[8];

			if (v == 0)
				continue;
			if (k < NSTATUS - 1)
				snprintf(code, sizeof(code), "%d", statuses[k]);
			else
				strcpy(code, "other");
			st = buf_printf(out, "http_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
			    route_name(m, i), code, (unsigned long long)v);
		}
	}
	if (st == ST_OK)
		st = buf_puts(out, "# HELP http_request_duration_seconds Time from request to response.\n"
		    "# TYPE http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= ROUTER_MAX_ROUTES && st == ST_OK; i++) {
		struct route_series *s = &m->series[i];
		uint64_t cum = 0;

		if (i >= nroutes && i != ROUTER_MAX_ROUTES)
			continue;
		for (size_t b = 0; b <= NBUCKET; b++)
			cum += atomic_load_explicit(&s->bucket[b], memory_order_relaxed);
		if (cum == 0)
			continue;
		cum = 0;
		for (size_t b = 0; b <= NBUCKET && st == ST_OK; b++) {
			cum += atomic_load_explicit(&s->bucket[b], memory_order_relaxed);
			if (b < NBUCKET)
				st = buf_printf(out, "http_request_duration_seconds_bucket{route=\"%s\","
				    "le=\"%g\"} %llu\n", route_name(m, i),
				    (double)buckets_us[b] / 1e6, (unsigned long long)cum);
			else
				st = buf_printf(out, "http_request_duration_seconds_bucket{route=\"%s\","
				    "le=\"+Inf\"} %llu\n", route_name(m, i), (unsigned long long)cum);
		}
		if (st == ST_OK)
			st = buf_printf(out, "http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
			    "http_request_duration_seconds_count{route=\"%s\"} %llu\n",
			    route_name(m, i),
			    (double)atomic_load_explicit(&s->sum_us, memory_order_relaxed) / 1e6,
			    route_name(m, i), (unsigned long long)cum);
	}
	return st;
}
