/* web_admin.c — the admin app's shell: one small HTML page for every path
 * under /admin/ on a tenant's host (and /platform/ on the platform's own
 * host, for the agency console). The app itself is TypeScript (web/admin/)
 * that routes in the browser and talks to the public API only; this page
 * gives it the brand to paint the first frame with (name, colours, logo,
 * time zone) so nothing flashes, and the strict CSP of every page.
 *
 * White label: the tenant's shell names the tenant; the console names the
 * operator (PLATFORM_NAME); neither names the product. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "modules/web/web_internal.h"

/* What the app reads from <script id="rcp-admin"> before its first
 * request. */
struct shell {
	const char *kind;	/* "tenant" or "platform" */
	const char *name;
	const char *primary, *accent;
	const char *logo;	/* https only */
	const char *timezone;
	const char *slug;
};

/* The chunks the build lists as admin-pre-0, -1, …: the entry's own
 * imports and the first pages' (sign-in, Today), fetched while the entry
 * is still being parsed rather than one round after another. */
static void
preloads(struct page *p)
{
	char key[24];
	const char *url;

	for (int i = 0; i < 32; i++) {
		snprintf(key, sizeof(key), "admin-pre-%d", i);
		if ((url = web_asset_url(key)) == NULL)
			break;
		page_rawf(p, "<link rel=\"modulepreload\" href=\"%s\">", url);
	}
}

static enum status
shell_render(struct page *p, struct response *w, const struct shell *s)
{
	const char *js = web_asset_url("admin.js"), *css = web_asset_url("admin.css");
	const char *base = strcmp(s->kind, "platform") == 0 ? "/platform/" : "/admin/";

	page_raw(p, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"robots\" content=\"noindex\">"
	    "<title>");
	page_text(p, s->name);
	page_rawf(p, "</title><link rel=\"manifest\" href=\"%smanifest.webmanifest\">", base);
	page_raw(p, "<meta name=\"theme-color\" content=\"");
	page_text(p, s->primary);
	page_raw(p, "\">");
	if (css != NULL)
		page_rawf(p, "<link rel=\"stylesheet\" href=\"%s\">", css);
	page_rawf(p, "<style nonce=\"%s\">:root{--brand:%s;--brand-accent:%s}</style>", p->nonce,
	    s->primary, s->accent);
	if (js != NULL)
		page_rawf(p, "<script type=\"module\" src=\"%s\"></script>", js);
	preloads(p);
	page_raw(p, "</head>\n<body><div id=\"app\"><p class=\"boot\">Loading…</p></div>"
	    "<noscript><p>This page needs JavaScript.</p></noscript>\n");
	/* Without a session cookie nobody is signed in: the app paints the
	 * sign-in page at once instead of asking GET /v1/auth/me first. The
	 * page varies by cookie, so it is never cached (no-cache, no ETag). */
	page_json_block(p, "rcp-admin", json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s, s:b}",
	    "kind", s->kind, "name", s->name, "primary_color", s->primary,
	    "accent_color", s->accent, "logo_url", s->logo, "timezone", s->timezone,
	    "slug", s->slug, "base", base, "signed_out", http_cookie(p->r, HTTP_SESSION_COOKIE) == NULL));
	page_raw(p, "</body></html>\n");
	if (p->st != ST_OK)
		return err_set(&p->r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	page_headers(p, w);
	return reply_text(w, 200, "text/html; charset=utf-8", p->b->data, p->b->len);
}

static const char *
https_only(const char *url)
{
	return url != NULL && strncmp(url, "https://", 8) == 0 ? url : NULL;
}

/* The tenant's brand, from the portal's cached view of it. */
static enum status
tenant_shell(struct page *p, struct shell *s)
{
	json_t *b;
	enum status st;

	if ((st = web_tenant_json(p->r, &p->t)) != ST_OK)
		return st;
	b = json_object_get(p->t, "branding");
	s->kind = "tenant";
	s->name = page_str(b, "display_name") ? page_str(b, "display_name") : page_str(p->t, "name");
	if (s->name == NULL)
		s->name = "";
	s->primary = page_colour(b, "primary_color", "#2563eb");
	s->accent = page_colour(b, "accent_color", "#1e40af");
	s->logo = https_only(page_str(b, "logo_url"));
	s->timezone = page_str(p->t, "timezone");
	s->slug = page_str(p->t, "slug");
	return ST_OK;
}

/* GET /admin/… on a tenant's host. */
enum status
web_page_admin(struct request *r, struct response *w)
{
	struct shell s = { 0 };
	struct page p;
	enum status st;

	page_init(&p, r);
	if ((st = tenant_shell(&p, &s)) != ST_OK)
		return st;
	return shell_render(&p, w, &s);
}

/* The console answers on the platform's own host only: a tenant's domain
 * must never show the operator's name. */
static bool
platform_host(const struct request *r)
{
	return r->host != NULL && strcmp(r->host, r->ctx.cfg->platform_domain) == 0;
}

/* The console's brand: the operator's, from configuration. */
static struct shell
platform_shell(const struct config *cfg)
{
	return (struct shell){ "platform", cfg->platform_name, "#334155", "#0f172a",
		https_only(cfg->platform_logo_url), NULL, NULL };
}

/* GET /platform/… on the platform's host: the agency console. */
enum status
web_page_platform(struct request *r, struct response *w)
{
	struct shell s = platform_shell(r->ctx.cfg);
	struct page p;

	if (!platform_host(r))
		return err_set(&r->err, ST_NOTFOUND, "No route for %s.", r->path);
	page_init(&p, r);
	return shell_render(&p, w, &s);
}

/* The web app manifest: installable, in the brand's name and colour.
 * Browsers install only with an icon they can fetch and size, so the
 * generated one (web_admin_icon: an SVG, any size, same origin) is always
 * listed; the tenant's https logo comes first where there is one. A data:
 * URL would do for img-src but not as a reliably installable icon. */
static enum status
manifest_render(struct request *r, struct response *w, const struct shell *s, const char *base)
{
	char *txt;
	json_t *icons = json_array();
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "name", s->name, "short_name", s->name, "start_url", base, "scope", base,
	    "display", "standalone", "theme_color", s->primary, "background_color", "#ffffff");

	if (s->logo != NULL)
		json_array_append_new(icons, json_pack("{s:s, s:s, s:s}", "src", s->logo,
		    "sizes", "any", "purpose", "any"));
	if (strcmp(base, "/admin/") == 0)
		json_array_append_new(icons, json_pack("{s:s, s:s, s:s, s:s}", "src",
		    "/admin/icon.svg", "sizes", "any", "type", "image/svg+xml", "purpose", "any"));
	json_object_set_new(m, "icons", icons);
	txt = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	if (txt == NULL)
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	arena_defer(r->arena, free, txt);
	response_header(w, "cache-control", "no-cache");
	return reply_text(w, 200, "application/manifest+json", txt, strlen(txt));
}

/* GET /admin/manifest.webmanifest */
enum status
web_admin_manifest(struct request *r, struct response *w)
{
	struct shell s = { 0 };
	struct page p;
	enum status st;

	page_init(&p, r);
	if ((st = tenant_shell(&p, &s)) != ST_OK)
		return st;
	return manifest_render(r, w, &s, "/admin/");
}

/* GET /platform/manifest.webmanifest */
enum status
web_platform_manifest(struct request *r, struct response *w)
{
	struct shell s = platform_shell(r->ctx.cfg);

	if (!platform_host(r))
		return err_set(&r->err, ST_NOTFOUND, "No route for %s.", r->path);
	return manifest_render(r, w, &s, "/platform/");
}

/* GET /admin/icon.svg — the app's icon for the home screen: the brand's
 * colour with the first letter of its name. Only a checked colour and one
 * ASCII letter or digit reach the SVG, so no tenant text needs escaping. */
enum status
web_admin_icon(struct request *r, struct response *w)
{
	struct shell s = { 0 };
	struct page p;
	char letter[2] = "";
	const char *svg;
	enum status st;

	page_init(&p, r);
	if ((st = tenant_shell(&p, &s)) != ST_OK)
		return st;
	for (const char *c = s.name; *c != '\0'; c++)
		if (isalnum((unsigned char)*c)) {
			letter[0] = (char)toupper((unsigned char)*c);
			break;
		}
	svg = arena_printf(r->arena, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 512 512\">"
	    "<rect width=\"512\" height=\"512\" rx=\"96\" fill=\"%s\"/>"
	    "<text x=\"256\" y=\"256\" dy=\".35em\" text-anchor=\"middle\" font-family=\"sans-serif\""
	    " font-size=\"280\" font-weight=\"700\" fill=\"#fff\">%s</text></svg>", s.primary, letter);
	response_header(w, "cache-control", "no-cache");
	response_header(w, "content-security-policy", "default-src 'none'");
	return reply_text(w, 200, "image/svg+xml", svg, strlen(svg));
}
