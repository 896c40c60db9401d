/* server.h — the HTTP server: event-loop threads accepting on their own
 * SO_REUSEPORT listeners, handing each request to the worker pool. */
#ifndef HTTP_SERVER_H
#define HTTP_SERVER_H

#include <stddef.h>

#include "core/status.h"

struct app;
struct workers;

/* Runs until SIGTERM or SIGINT, then stops accepting, drains in-flight
 * requests and returns ST_OK; ST_TIMEOUT when SHUTDOWN_GRACE_S ran out
 * first (the caller must then exit without waiting for anything). */
enum status http_serve(struct app *app) MUST_USE;

/* The largest body h2o reads before refusing it itself (see server.c). */
size_t http_body_hard_cap(int max_body_bytes);

/* The worker pool of the running server, for gauges (NULL before start). */
struct workers *http_server_workers(void);

#endif
