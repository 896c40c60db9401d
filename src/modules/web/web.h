/* web.h — what browsers get from `serve` beyond the JSON API: the chat
 * widget's files, the tenant's booking portal (server-rendered pages), and
 * the rules for requests other sites' pages make (origin check, CORS,
 * rate limits on the chat API). */
#ifndef WEB_H
#define WEB_H

#include <stddef.h>

#include "http/http.h"

struct app;

extern const struct route_table web_routes;

/* Loads the built assets (WEB_DIST_DIR) and installs the browser guard and
 * the preflight handler on app. Called once by registry_mount. */
void web_mount(struct app *app);

#endif
