/* web_service.c — the web module's rules, taking a struct ctx: the
 * tenant's portal data and widget origins, read through the tenants cache
 * (dropped when the tenant changes) and otherwise from web_store.c. */
#include "modules/tenants/tenants.h"
#include "modules/web/web_internal.h"

enum status
web_portal_text(struct ctx *c, const char **json)
{
	return tenants_cached_text(c, "w", web_store_portal_json, json);
}

enum status
web_widget_origins(struct ctx *c, const char **lines)
{
	return tenants_cached_text(c, "o", web_store_origins, lines);
}
