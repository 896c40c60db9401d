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
enum status web_admin_sw_route(struct request *r, struct response *w);

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

/* ---- an HTML page under construction (web_page.c) ---- */
struct page {
	struct request *r;
	struct buf *b;		/* in the arena: the reply's body outlives the handler */
	enum status st;
	json_t *t;		/* the tenant's portal data */
	char nonce[32];
};

void page_init(struct page *p, struct request *r);
void page_raw(struct page *p, const char *s);
/* Only for values we produced (numbers, checked ids): never tenant text. */
void page_rawf(struct page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* HTML-escaped, for text and quoted attribute values alike. */
void page_text(struct page *p, const char *s);
/* A non-empty string member of o, or NULL. */
const char *page_str(json_t *o, const char *key);
/* <script type="application/json" id="…">: takes v's reference. */
void page_json_block(struct page *p, const char *id, json_t *v);
/* A "#rrggbb" member of b, or def. */
const char *page_colour(json_t *b, const char *key, const char *def);
void page_headers(struct page *p, struct response *w);

/* ---- pages (web_portal.c) ---- */
enum status web_page_home(struct request *r, struct response *w);
enum status web_page_book(struct request *r, struct response *w);
enum status web_page_chat(struct request *r, struct response *w);
enum status web_page_booking(struct request *r, struct response *w);
enum status web_page_booking_confirm(struct request *r, struct response *w);
enum status web_page_waitlist_offer(struct request *r, struct response *w);
enum status web_page_privacy(struct request *r, struct response *w);
enum status web_page_terms(struct request *r, struct response *w);

/* ---- the admin app's shell (web_admin.c) ---- */
enum status web_page_admin(struct request *r, struct response *w);
enum status web_admin_icon(struct request *r, struct response *w);
enum status web_admin_manifest(struct request *r, struct response *w);
enum status web_page_platform(struct request *r, struct response *w);
enum status web_platform_manifest(struct request *r, struct response *w);

#endif
