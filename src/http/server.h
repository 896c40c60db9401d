/* server.h — the HTTP server: event-loop threads accepting on their own
 * SO_REUSEPORT listeners, handing each request to the worker pool. */
#ifndef HTTP_SERVER_H
#define HTTP_SERVER_H

#include "core/status.h"

struct app;
struct workers;

/* Runs until SIGTERM or SIGINT, then stops accepting, drains in-flight
 * requests (up to SHUTDOWN_GRACE_S) and returns ST_OK. */
enum status http_serve(struct app *app) MUST_USE;

/* The worker pool of the running server, for gauges (NULL before start). */
struct workers *http_server_workers(void);

#endif
