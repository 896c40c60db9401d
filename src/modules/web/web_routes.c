/* web_routes.c — the web module's routes and its start-up. */
#include "app.h"
#include "modules/web/web.h"
#include "modules/web/web_internal.h"

static const struct route web_routes_v[] = {
	{ HTTP_GET, "/widget.js", web_widget_js_route, TENANCY_NONE, 0, NULL },
	{ HTTP_GET, "/widget/config", web_widget_config_route, TENANCY_NONE, 0, NULL },
	{ HTTP_GET, "/assets/{name}", web_asset_route, TENANCY_NONE, 0, NULL },
	{ HTTP_GET, "/", web_page_home, TENANCY_HOST, 0, "portal /" },
	{ HTTP_GET, "/book", web_page_book, TENANCY_HOST, 0, "portal /book" },
	{ HTTP_GET, "/chat", web_page_chat, TENANCY_HOST, 0, "portal /chat" },
	{ HTTP_GET, "/booking/{ref}", web_page_booking, TENANCY_HOST, 0, "portal /booking" },
	{ HTTP_GET, "/booking/{ref}/confirm", web_page_booking_confirm, TENANCY_HOST, 0, "portal /booking/confirm" },
	{ HTTP_GET, "/waitlist/offer", web_page_waitlist_offer, TENANCY_HOST, 0, "portal /waitlist/offer" },
	{ HTTP_GET, "/privacy", web_page_privacy, TENANCY_HOST, 0, "portal /privacy" },
	{ HTTP_GET, "/terms", web_page_terms, TENANCY_HOST, 0, "portal /terms" },
	/* The admin app routes in the browser: every path under /admin/ gets
	 * the same shell (up to three segments deep). */
	{ HTTP_GET, "/admin/manifest.webmanifest", web_admin_manifest, TENANCY_HOST, 0, "admin manifest" },
	{ HTTP_GET, "/admin/sw.js", web_admin_sw_route, TENANCY_HOST, 0, "admin service worker" },
	{ HTTP_GET, "/admin/icon.svg", web_admin_icon, TENANCY_HOST, 0, "admin icon" },
	{ HTTP_GET, "/admin", web_page_admin, TENANCY_HOST, 0, "admin app" },
	{ HTTP_GET, "/admin/", web_page_admin, TENANCY_HOST, 0, "admin app" },
	{ HTTP_GET, "/admin/{p1}", web_page_admin, TENANCY_HOST, 0, "admin app" },
	{ HTTP_GET, "/admin/{p1}/{p2}", web_page_admin, TENANCY_HOST, 0, "admin app" },
	{ HTTP_GET, "/admin/{p1}/{p2}/{p3}", web_page_admin, TENANCY_HOST, 0, "admin app" },
	{ HTTP_GET, "/platform/manifest.webmanifest", web_platform_manifest, TENANCY_NONE, 0,
	  "console manifest" },
	{ HTTP_GET, "/platform", web_page_platform, TENANCY_NONE, 0, "console" },
	{ HTTP_GET, "/platform/", web_page_platform, TENANCY_NONE, 0, "console" },
	{ HTTP_GET, "/platform/{p1}", web_page_platform, TENANCY_NONE, 0, "console" },
	{ HTTP_GET, "/platform/{p1}/{p2}", web_page_platform, TENANCY_NONE, 0, "console" },
};
const struct route_table web_routes = TABLE_OF(web_routes_v);

void
web_mount(struct app *app)
{
	web_assets_load(app->cfg.web_dist_dir);
	web_guard_init(app);
	app->browser_guard = web_browser_guard;
	app->preflight = web_preflight;
}
