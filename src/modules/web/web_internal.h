/* web_internal.h — shared between the web module's files only. */
#ifndef WEB_INTERNAL_H
#define WEB_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "core/buf.h"
#include "core/ctx.h"
#include "db/db.h"
#include "http/http.h"

/* ---- assets (web_assets.c) ---- */
void web_assets_load(const char *dist_dir);
/* "/assets/portal-3f9a….css" for a logical name from manifest.json
 * ("portal.css"), or NULL when the build lacks it. */
const char *web_asset_url(const char *logical);
enum status web_widget_js_route(struct request *r, struct response *w);
enum status web_asset_route(struct request *r, struct response *w);

/* ---- SQL (web_store.c) ---- */
/* The portal's view of the tenant as JSON text (profile, branding, hours,
 * services, policies, chat settings), in the transaction's tenant. */
enum status web_store_portal_json(struct db_tx *tx, const char **json) MUST_USE;
/* The tenant's live widget origins, one per line. */
enum status web_store_origins(struct db_tx *tx, const char **lines) MUST_USE;

/* ---- services (web_service.c): the tenant's data, cached ---- */
/* The portal's view (web_store_portal_json), for c's tenant. */
enum status web_portal_text(struct ctx *c, const char **json) MUST_USE;
/* The widget origins, one per line, for c's tenant. */
enum status web_widget_origins(struct ctx *c, const char **lines) MUST_USE;

/* ---- the portal's data as JSON, for a page (web_portal.c) ---- */
enum status web_tenant_json(struct request *r, json_t **out) MUST_USE;

/* ---- browser rules (web_guard.c) ---- */
struct app;
void web_guard_init(struct app *app);
enum status web_browser_guard(struct request *r);
enum status web_preflight(struct request *r, struct response *w);
/* Resolves the tenant as a route of tenancy t would, also taking
 * ?tenant= for X-Tenant-ID: preflights and simple GETs cannot carry the
 * header. */
enum status web_resolve_tenant(struct request *r, enum route_tenancy t) MUST_USE;
/* Whether origin may use this tenant's widget: its own host names, or one
 * of its widget origins. Sets *norm to the origin as echoed. */
enum status web_origin_allowed(struct request *r, const char *origin, bool *ok,
    const char **norm) MUST_USE;
enum status web_widget_config_route(struct request *r, struct response *w);

/* ---- pages (web_portal.c) ---- */
enum status web_page_home(struct request *r, struct response *w);
enum status web_page_book(struct request *r, struct response *w);
enum status web_page_chat(struct request *r, struct response *w);
enum status web_page_booking(struct request *r, struct response *w);
enum status web_page_privacy(struct request *r, struct response *w);
enum status web_page_terms(struct request *r, struct response *w);

#endif
