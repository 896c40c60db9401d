/* health_routes.c — GET /healthz, /readyz and /metrics. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/buf.h"
#include "db/db.h"
#include "http/metrics.h"
#include "http/server.h"
#include "http/workers.h"
#include "modules/system/system.h"

/* GET /healthz — the process is up and serving. */
static enum status
healthz_route(struct request *r, struct response *w)
{
	static const char body[] = "{\"status\":\"ok\"}";

	(void)r;
	return reply_text(w, 200, "application/json; charset=utf-8", body, sizeof(body) - 1);
}

/* GET /readyz — the database answers and the schema is what this build
 * expects; load balancers route traffic only while this is 200. */
static enum status
readyz_route(struct request *r, struct response *w)
{
	switch (system_readiness(&r->ctx)) {
	case SYSTEM_DB_UNREACHABLE:
		err_clear(&r->err);
		err_detail(&r->err, "database", "unreachable");
		r->err.retry_after = 5;
		return err_set(&r->err, ST_UNAVAILABLE, "Not ready: the database is unreachable.");
	case SYSTEM_DB_FAILED:
		err_clear(&r->err);
		err_detail(&r->err, "database", "query failed");
		r->err.retry_after = 5;
		return err_set(&r->err, ST_UNAVAILABLE, "Not ready: the database did not answer.");
	case SYSTEM_MIGRATIONS_BEHIND:
		err_detail(&r->err, "migrations", "behind this build; run `receptionist migrate`");
		r->err.retry_after = 30;
		return err_set(&r->err, ST_UNAVAILABLE, "Not ready: migrations are behind.");
	case SYSTEM_READY:
		break;
	}
	return reply_json(r, w, 200, json_pack("{s:s, s:{s:s, s:s}}", "status", "ready",
	    "checks", "database", "ok", "migrations", "current"));
}

/* GET /metrics — Prometheus text format. */
static enum status
metrics_route(struct request *r, struct response *w)
{
	struct buf b;
	struct db_pool_stats ps;
	struct workers_stats ws = { 0 };
	struct workers *wp = http_server_workers();
	enum status st;

	buf_init(&b, 4 << 20);
	db_pool_get_stats(r->app->db, &ps);
	if (wp != NULL)
		workers_get_stats(wp, &ws);
	st = metrics_render(r->app->metrics, &b);
	if (st == ST_OK)
		st = buf_printf(&b,
		    "# HELP db_pool_connections Database connections by state.\n"
		    "# TYPE db_pool_connections gauge\n"
		    "db_pool_connections{state=\"open\"} %zu\n"
		    "db_pool_connections{state=\"idle\"} %zu\n"
		    "db_pool_connections{state=\"max\"} %zu\n"
		    "# HELP db_pool_waiting Requests waiting for a database connection.\n"
		    "# TYPE db_pool_waiting gauge\ndb_pool_waiting %zu\n"
		    "# HELP db_pool_events_total Pool events.\n"
		    "# TYPE db_pool_events_total counter\n"
		    "db_pool_events_total{event=\"connect\"} %llu\n"
		    "db_pool_events_total{event=\"connect_failure\"} %llu\n"
		    "db_pool_events_total{event=\"discard\"} %llu\n"
		    "# HELP http_workers Handler threads by state.\n"
		    "# TYPE http_workers gauge\n"
		    "http_workers{state=\"total\"} %zu\nhttp_workers{state=\"busy\"} %zu\n"
		    "# HELP http_queue_depth Requests waiting for a handler thread.\n"
		    "# TYPE http_queue_depth gauge\nhttp_queue_depth %zu\n"
		    "# HELP http_queue_capacity Requests the queue holds before answering 503.\n"
		    "# TYPE http_queue_capacity gauge\nhttp_queue_capacity %zu\n"
		    "# HELP http_queue_rejected_total Requests answered 503 because the queue was full.\n"
		    "# TYPE http_queue_rejected_total counter\nhttp_queue_rejected_total %llu\n"
		    "# HELP http_streams_open Streaming replies running on threads of their own.\n"
		    "# TYPE http_streams_open gauge\nhttp_streams_open %zu\n"
		    "# HELP http_streams_max Streams open at once before answering 503.\n"
		    "# TYPE http_streams_max gauge\nhttp_streams_max %zu\n"
		    "# HELP http_streams_rejected_total Streams answered 503 because STREAMS_MAX were open.\n"
		    "# TYPE http_streams_rejected_total counter\nhttp_streams_rejected_total %llu\n",
		    ps.open, ps.idle, ps.max, ps.waiting, ps.connects, ps.connect_failures,
		    ps.discarded, ws.threads, ws.busy, ws.queued, ws.capacity, ws.rejected,
		    ws.streams, ws.streams_max, ws.streams_rejected);
	/* The retention job runs in `worker`, which serves no HTTP: its
	 * counters live in the database and are read here. Scrapes go on
	 * without them while the database is away. */
	if (st == ST_OK && system_retention_metrics(&r->ctx, &b) != ST_OK)
		err_clear(&r->err);
	if (st != ST_OK) {
		buf_free(&b);
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	}
	arena_defer(r->arena, free, b.data);
	return reply_text(w, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
}

static const struct route system_routes_v[] = {
	{ HTTP_GET, "/healthz", healthz_route, TENANCY_NONE, 0, NULL },
	{ HTTP_GET, "/readyz", readyz_route, TENANCY_NONE, 0, NULL },
	{ HTTP_GET, "/metrics", metrics_route, TENANCY_NONE, 0, NULL },
};
const struct route_table system_routes = TABLE_OF(system_routes_v);
