/* web_assets.c — the built browser files (npm run build → WEB_DIST_DIR),
 * read into memory once at start: /widget.js, which every embedding site
 * links by that fixed name and so is cached briefly, and /assets/{name},
 * whose names carry a content hash and so are cached for a year, and the
 * admin app's service worker (/admin/sw.js, revalidated on every fetch). Each
 * file's gzip twin (built beside it) is sent to clients that accept it.
 * Every file is readable by any site (CORS *): they are public code. */
#include <dirent.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "modules/web/web_internal.h"

#define ASSETS_MAX 128
#define ASSET_BYTES_MAX (4u << 20)
#define MANIFEST_MAX 64

struct asset {
	char name[128];		/* under assets/, or "widget.js" */
	char *data, *gz;
	size_t len, gzlen;
	const char *type;
	char etag[40];
};

static struct asset assets[ASSETS_MAX];
static size_t nassets;
static struct asset widget, admin_sw;
static bool have_widget, have_admin_sw;
static struct { char logical[64]; char url[160]; } manifest[MANIFEST_MAX];
static size_t nmanifest;

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char *p = NULL;

	if (f == NULL)
		return NULL;
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (size_t)sb.st_size > ASSET_BYTES_MAX)
		goto out;
	if ((p = malloc((size_t)sb.st_size + 1)) == NULL)
		abort();
	if (fread(p, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
		free(p);
		p = NULL;
		goto out;
	}
	p[sb.st_size] = '\0';
	*len = (size_t)sb.st_size;
out:
	fclose(f);
	return p;
}

static const char *
type_of(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json; charset=utf-8" },
		{ ".map", "application/json; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".woff2", "font/woff2" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/* Names we serve: [A-Za-z0-9._-], not starting with a dot. */
static bool
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(assets[0].name) || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static bool
load_one(struct asset *a, const char *dir, const char *name)
{
	char path[1024];
	unsigned char h[16];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((a->data = read_file(path, &a->len)) == NULL)
		return false;
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(path, sizeof(path), "%s/%s.gz", dir, name);
	a->gz = read_file(path, &a->gzlen);
	a->type = type_of(name);
	crypto_generichash(h, sizeof(h), (const unsigned char *)a->data, a->len, NULL, 0);
	a->etag[0] = '"';
	sodium_bin2hex(a->etag + 1, sizeof(a->etag) - 2, h, sizeof(h));
	strcat(a->etag, "\"");
	return true;
}

static void
load_manifest(const char *dist)
{
	char path[1024];
	json_t *m;
	const char *k;
	json_t *v;

	snprintf(path, sizeof(path), "%s/manifest.json", dist);
	if ((m = json_load_file(path, 0, NULL)) == NULL) {
		log_warn("no %s: run `npm run build` (widget and portal scripts missing)", path);
		return;
	}
	json_object_foreach(m, k, v) {
		if (nmanifest == MANIFEST_MAX || !json_is_string(v) || strlen(k) >= 64)
			continue;
		snprintf(manifest[nmanifest].logical, sizeof(manifest[0].logical), "%s", k);
		snprintf(manifest[nmanifest].url, sizeof(manifest[0].url), "/%s",
		    json_string_value(v));
		nmanifest++;
	}
	json_decref(m);
}

void
web_assets_load(const char *dist)
{
	char dir[1024];
	DIR *d;
	struct dirent *de;

	load_manifest(dist);
	have_widget = load_one(&widget, dist, "widget.js");
	have_admin_sw = load_one(&admin_sw, dist, "admin-sw.js");
	snprintf(dir, sizeof(dir), "%s/assets", dist);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL && nassets < ASSETS_MAX) {
		size_t n = strlen(de->d_name);

		if (!name_ok(de->d_name) || (n > 3 && strcmp(de->d_name + n - 3, ".gz") == 0) ||
		    type_of(de->d_name) == NULL)
			continue;
		if (load_one(&assets[nassets], dir, de->d_name))
			nassets++;
	}
	closedir(d);
	log_emit(LOG_INFO, "web assets loaded", json_pack("{s:s, s:b, s:i}", "dir", dist,
	    "widget", have_widget, "assets", (int)nassets));
}

const char *
web_asset_url(const char *logical)
{
	for (size_t i = 0; i < nmanifest; i++)
		if (strcmp(manifest[i].logical, logical) == 0)
			return manifest[i].url;
	return NULL;
}

static bool
accepts_gzip(struct request *r)
{
	const char *ae = http_header(r, "accept-encoding");

	return ae != NULL && strstr(ae, "gzip") != NULL;
}

/* The file with its validator: 304 when the browser has it, gzip when
 * it takes it. */
static enum status
send_file(struct request *r, struct response *w, const struct asset *a,
    const char *cache_control)
{
	const char *inm = http_header(r, "if-none-match");

	response_header(w, "cache-control", cache_control);
	response_header(w, "etag", a->etag);
	response_header(w, "vary", "Accept-Encoding");
	if (inm != NULL && strcmp(inm, a->etag) == 0)
		return reply_text(w, 304, NULL, "", 0);
	if (a->gz != NULL && accepts_gzip(r)) {
		response_header(w, "content-encoding", "gzip");
		return reply_text(w, 200, a->type, a->gz, a->gzlen);
	}
	return reply_text(w, 200, a->type, a->data, a->len);
}

/* A file any site may load (the widget's script on a business's pages). */
static enum status
send_asset(struct request *r, struct response *w, const struct asset *a,
    const char *cache_control)
{
	response_header(w, "access-control-allow-origin", "*");
	response_header(w, "cross-origin-resource-policy", "cross-origin");
	return send_file(r, w, a, cache_control);
}

/* GET /widget.js — a stable name, so a short cache: a new build reaches
 * every embedding site within minutes. */
enum status
web_widget_js_route(struct request *r, struct response *w)
{
	if (!have_widget)
		return err_set(&r->err, ST_NOTFOUND, "The widget has not been built.");
	return send_asset(r, w, &widget, "public, max-age=300, stale-while-revalidate=3600");
}

/* GET /assets/{name} — content-hashed names never change meaning. */
enum status
web_asset_route(struct request *r, struct response *w)
{
	const char *name = http_param(r, "name");

	for (size_t i = 0; name != NULL && i < nassets; i++)
		if (strcmp(assets[i].name, name) == 0)
			return send_asset(r, w, &assets[i], "public, max-age=31536000, immutable");
	return err_set(&r->err, ST_NOTFOUND, "No such file.");
}

/* GET /admin/sw.js — the admin app's service worker (Web Push). Served
 * under /admin/ so its default scope is the app; a fixed name the browser
 * re-checks, so never cached without revalidation. Same-origin only. */
enum status
web_admin_sw_route(struct request *r, struct response *w)
{
	if (!have_admin_sw)
		return err_set(&r->err, ST_NOTFOUND, "The admin app has not been built.");
	return send_file(r, w, &admin_sw, "no-cache");
}
