/* tenants_admin.c — the tenant's own settings through the admin API,
 * served by the admin engine: profile (IANA zone checked by the
 * database), branding (with a WCAG contrast warning), business hours (one
 * interval at a time, or the whole week at once), closures, widget origins
 * (normalised to scheme://host[:port]) and custom domains, verified by a
 * DNS TXT record at _receptionist.<host> holding the domain's token, on
 * plans with custom domains. Everything here changes what the public pages
 * show; the tables' NOTIFY triggers drop cached copies at once.
 *
 * Sections: descriptors and their hooks, the hours and verify handlers,
 * the TXT resolver (real and fake). Its few statements of its own are in
 * tenants_store.c. */
#include <arpa/nameser.h>
#include <ctype.h>
#include <math.h>
#include <netdb.h>
#include <pthread.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/addr.h"
#include "core/config.h"
#include "core/jsonv.h"
#include "db/db.h"
#include "modules/admin/admin.h"
#include "modules/billing/billing.h"
#include "modules/tenants/tenants.h"
#include "modules/tenants/tenants_internal.h"
#include "modules/tenants/tenants_store.h"

#define PROFILE "/v1/admin/profile"
#define BRANDING "/v1/admin/branding"
#define HOURS "/v1/admin/hours"
#define CLOSURES "/v1/admin/closures"
#define ORIGINS "/v1/admin/widget-origins"
#define DOMAINS "/v1/admin/domains"

#define WEEK_INTERVALS_MAX 70
#define TXT_RECORDS_MAX 16

/* Profile ------------------------------------------------------------------------- */

/* The shape of an IANA name; whether the zone exists is the database's
 * answer (is_iana_zone), asked in the guard below. */
static bool
zone_shape_ok(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '/' && *p != '_' && *p != '-' && *p != '+')
			return false;
	return *s != '\0' && *s != '/';
}

static enum status
profile_guard(struct admin_op *op)
{
	json_t *tz = json_object_get(op->input, "timezone");
	bool ok = false;
	enum status st;

	if (!json_is_string(tz))
		return ST_OK;
	if ((st = tenants_store_is_iana_zone(op->tx, json_string_value(tz), &ok)) != ST_OK)
		return st;
	if (!ok) {
		err_detail(op->ctx->err, "timezone", "is not an IANA time zone such as Europe/London");
		return err_set(op->ctx->err, ST_INVALID, "Some fields are invalid.");
	}
	return ST_OK;
}

static const struct admin_field profile_fields[] = {
	ADMIN_F_TEXT("business_name", 1, 200, AF_REQUIRED),
	ADMIN_F_FORMAT("timezone", 64, ADM_TEXT, zone_shape_ok,
	    "an IANA time zone such as Europe/London", 0),
	ADMIN_F_FORMAT("phone", 16, ADM_TEXT, addr_e164_ok,
	    "a phone number in E.164 form such as +14155550123", AF_NULLABLE),
	ADMIN_F_FORMAT("email", 254, ADM_CITEXT, addr_email_ok, "an e-mail address",
	    AF_NULLABLE),
	ADMIN_F_FORMAT("website_url", 2048, ADM_TEXT, admin_check_http_url,
	    "an http:// or https:// URL", AF_NULLABLE),
	ADMIN_F_TEXT("address_line1", 0, 200, AF_NULLABLE),
	ADMIN_F_TEXT("address_line2", 0, 200, AF_NULLABLE),
	ADMIN_F_TEXT("city", 0, 100, AF_NULLABLE),
	ADMIN_F_TEXT("region", 0, 100, AF_NULLABLE),
	ADMIN_F_TEXT("postal_code", 0, 20, AF_NULLABLE),
	ADMIN_F_FORMAT("country", 2, ADM_TEXT, admin_check_country,
	    "an ISO 3166-1 country code such as US", 0),
};

const struct admin_resource tenants_profile_res = {
	.name = "profile", .title = "profile", .path = PROFILE, .table = "tenant_profiles",
	.fields = profile_fields, .nfields = ADMIN_NFIELDS(profile_fields),
	.flags = ADMIN_SINGLETON, .guard = profile_guard,
};

/* Branding ------------------------------------------------------------------------ */

#define WCAG_AA_MIN 4.5

static double
channel(int v)
{
	double c = v / 255.0;

	return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

/* WCAG 2 relative luminance of "#rrggbb" (checked beforehand). */
static double
luminance(const char *hex)
{
	unsigned r, g, b;

	if (sscanf(hex + 1, "%2x%2x%2x", &r, &g, &b) != 3)
		return 0;
	return 0.2126 * channel((int)r) + 0.7152 * channel((int)g) + 0.0722 * channel((int)b);
}

/* Contrast ratio of white text on colour hex: 1 (none) to 21 (black). */
static double
contrast_on_white(const char *hex)
{
	return (1.0 + 0.05) / (luminance(hex) + 0.05);
}

static void
contrast_warning(struct admin_op *op, const char *field)
{
	json_t *v = json_object_get(op->input, field);
	double ratio;

	if (!json_is_string(v) || !admin_check_hex_color(json_string_value(v)))
		return;
	ratio = contrast_on_white(json_string_value(v));
	if (ratio >= WCAG_AA_MIN)
		return;
	json_array_append_new(op->warnings, json_pack("{s:s, s:s}", "field", field, "issue",
	    arena_printf(op->ctx->arena, "white text on %s has a contrast ratio of %.2f:1,"
	    " below the %.1f:1 WCAG AA minimum", json_string_value(v),
	    floor(ratio * 100) / 100, WCAG_AA_MIN)));
}

/* Low contrast is the business's call, so it is a warning, not an error. */
static enum status
branding_validate(struct admin_op *op)
{
	contrast_warning(op, "primary_color");
	contrast_warning(op, "accent_color");
	return ST_OK;
}

static const char *const voice_styles[] = { "friendly", "professional", "playful",
	"concise", NULL };

static const struct admin_field branding_fields[] = {
	ADMIN_F_TEXT("display_name", 1, 100, AF_REQUIRED),
	ADMIN_F_FORMAT("primary_color", 7, ADM_TEXT, admin_check_hex_color,
	    "a colour such as #1a2b3c", 0),
	ADMIN_F_FORMAT("accent_color", 7, ADM_TEXT, admin_check_hex_color,
	    "a colour such as #1a2b3c", 0),
	ADMIN_F_FORMAT("logo_url", 2048, ADM_TEXT, admin_check_https_url, "an https:// URL",
	    AF_NULLABLE),
	ADMIN_F_ENUM("voice_style", voice_styles, 0),
};

const struct admin_resource tenants_branding_res = {
	.name = "branding", .title = "branding", .path = BRANDING, .table = "tenant_branding",
	.fields = branding_fields, .nfields = ADMIN_NFIELDS(branding_fields),
	.flags = ADMIN_SINGLETON, .validate = branding_validate,
};

/* Business hours and closures ------------------------------------------------------- */

static enum status
hours_validate(struct admin_op *op)
{
	json_t *o = json_object_get(op->merged, "opens");
	json_t *c = json_object_get(op->merged, "closes");

	if (op->verb == ADMIN_DELETE || !json_is_string(o) || !json_is_string(c) ||
	    strcmp(json_string_value(o), json_string_value(c)) < 0)
		return ST_OK;
	err_detail(op->ctx->err, "closes", "must be after opens");
	return err_set(op->ctx->err, ST_INVALID, "Some fields are invalid.");
}

static const struct admin_field hours_fields[] = {
	ADMIN_F_INT("weekday", 1, 7, AF_REQUIRED | AF_FILTER | AF_SORT),
	ADMIN_F_FORMAT("opens", 5, ADM_TIME, admin_check_time, "a time (HH:MM)",
	    AF_REQUIRED | AF_SORT),
	ADMIN_F_FORMAT("closes", 5, ADM_TIME, admin_check_time, "a time (HH:MM)", AF_REQUIRED),
};

const struct admin_resource tenants_hours_res = {
	.name = "business_hours", .title = "opening interval", .path = HOURS,
	.table = "business_hours", .fields = hours_fields, .nfields = ADMIN_NFIELDS(hours_fields),
	.default_sort = "weekday", .tiebreak = "opens", .overlap_field = "opens",
	.validate = hours_validate,
};

static const struct admin_field closure_fields[] = {
	ADMIN_F_FORMAT("day", 10, ADM_DATE, admin_check_date, "a date (YYYY-MM-DD)",
	    AF_REQUIRED | AF_FILTER | AF_SORT),
	ADMIN_F_TEXT("reason", 0, 200, AF_NULLABLE),
};

const struct admin_resource tenants_closures_res = {
	.name = "closure", .title = "closure", .path = CLOSURES, .table = "closures",
	.fields = closure_fields, .nfields = ADMIN_NFIELDS(closure_fields),
	.default_sort = "day", .range_field = "day", .unique_field = "day",
};

/* Widget origins ---------------------------------------------------------------------- */

/* One DNS label run "a.b-c.d": letters, digits, hyphens inside labels. */
static bool
host_ok(const char *h, size_t n, size_t *labels)
{
	size_t start = 0;

	*labels = 0;
	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && h[i] != '.') {
			if (!isalnum((unsigned char)h[i]) && h[i] != '-')
				return false;
			continue;
		}
		if (i == start || i - start > 63 || h[start] == '-' || h[i - 1] == '-')
			return false;
		(*labels)++;
		start = i + 1;
	}
	return true;
}

/* "HTTPS://Shop.Example.com:443/" → "https://shop.example.com": scheme and
 * host lower-cased, the default port and a bare trailing slash dropped;
 * anything else after the host (path, query, user) refused. */
static const char *
origin_normalise(struct arena *a, const char *in, const char *field, struct err *e)
{
	char *s = arena_strdup(a, in), *host, *end, *colon;
	const char *scheme;
	long port = 0;
	size_t hl, labels;

	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strncmp(s, "https://", 8) == 0) {
		scheme = "https";
		host = s + 8;
	} else if (strncmp(s, "http://", 7) == 0) {
		scheme = "http";
		host = s + 7;
	} else {
		err_detail(e, field, "must start with https:// or http://");
		return NULL;
	}
	end = host + strlen(host);
	if (end > host && end[-1] == '/')
		*--end = '\0';
	if (strpbrk(host, "/?#@\\ ") != NULL) {
		err_detail(e, field, "must be scheme://host[:port] with no path, query or user");
		return NULL;
	}
	if ((colon = strchr(host, ':')) != NULL) {
		char *pe;

		port = strtol(colon + 1, &pe, 10);
		if (colon[1] == '\0' || *pe != '\0' || !isdigit((unsigned char)colon[1]) ||
		    port < 1 || port > 65535) {
			err_detail(e, field, "has an invalid port");
			return NULL;
		}
		*colon = '\0';
	}
	hl = strlen(host);
	if (!host_ok(host, hl, &labels)) {
		err_detail(e, field, "has an invalid host name");
		return NULL;
	}
	if ((port == 443 && scheme[4] == 's') || (port == 80 && scheme[4] == '\0'))
		port = 0;
	return port ? arena_printf(a, "%s://%s:%ld", scheme, host, port)
	    : arena_printf(a, "%s://%s", scheme, host);
}

static const struct admin_field origin_fields[] = {
	{ .v = { .name = "origin", .type = JV_STRING, .min = 1, .max = 300 },
	  .type = ADM_TEXT, .flags = AF_REQUIRED | AF_FILTER | AF_SORT,
	  .normalise = origin_normalise },
};

const struct admin_resource tenants_origins_res = {
	.name = "widget_origin", .title = "widget origin", .path = ORIGINS,
	.table = "widget_origins", .fields = origin_fields,
	.nfields = ADMIN_NFIELDS(origin_fields), .flags = ADMIN_SOFT_DELETE,
	.default_sort = "origin", .unique_field = "origin",
};

/* Domains ------------------------------------------------------------------------------ */

/* "Book.Example.COM." → "book.example.com": at least two labels, and not
 * an IP address. */
static const char *
hostname_normalise(struct arena *a, const char *in, const char *field, struct err *e)
{
	char *s = arena_strdup(a, in), *last;
	size_t n = strlen(s), labels;
	bool numeric = true;

	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (n > 0 && s[n - 1] == '.')
		s[--n] = '\0';
	if (!host_ok(s, n, &labels) || labels < 2) {
		err_detail(e, field, "must be a host name such as book.example.com");
		return NULL;
	}
	last = strrchr(s, '.') + 1;
	for (char *p = last; *p; p++)
		numeric = numeric && isdigit((unsigned char)*p);
	if (numeric) {
		err_detail(e, field, "must be a host name, not an IP address");
		return NULL;
	}
	return s;
}

static bool
under_domain(const char *host, const char *domain)
{
	size_t hl = strlen(host), dl = strlen(domain);

	return strcmp(host, domain) == 0 ||
	    (hl > dl && host[hl - dl - 1] == '.' && strcmp(host + hl - dl, domain) == 0);
}

static enum status
domain_guard(struct admin_op *op)
{
	json_t *h = json_object_get(op->input, "hostname");

	if (op->verb == ADMIN_DELETE) {
		const char *kind = json_string_value(json_object_get(op->before, "kind"));

		if (kind != NULL && strcmp(kind, "subdomain") == 0)
			return err_set(op->ctx->err, ST_CONFLICT,
			    "The platform subdomain cannot be removed.");
		return ST_OK;
	}
	if (json_is_string(h) && under_domain(json_string_value(h),
	    op->ctx->cfg->platform_domain)) {
		err_detail(op->ctx->err, "hostname", "is a platform address; add your own domain");
		return err_set(op->ctx->err, ST_INVALID, "Some fields are invalid.");
	}
	json_object_set_new(op->input, "kind", json_string("custom"));
	return ST_OK;
}

static const char *const domain_kinds[] = { "subdomain", "custom", NULL };
static const char *const domain_states[] = { "pending", "verified", "failed", NULL };

static const struct admin_field domain_fields[] = {
	{ .v = { .name = "hostname", .type = JV_STRING, .min = 1, .max = 254 },
	  .type = ADM_TEXT, .flags = AF_REQUIRED | AF_CREATE_ONLY | AF_FILTER | AF_SORT,
	  .normalise = hostname_normalise },
	{ .v = { .name = "kind", .type = JV_STRING, .choices = domain_kinds },
	  .type = ADM_TEXT, .flags = AF_READONLY | AF_FILTER },
	{ .v = { .name = "verification_state", .type = JV_STRING, .choices = domain_states },
	  .type = ADM_TEXT, .flags = AF_READONLY | AF_FILTER },
	/* Shown so the owner can publish it; kept out of audit rows. */
	ADMIN_F_READONLY("verification_token", ADM_TEXT, AF_NOAUDIT),
	ADMIN_F_READONLY("verified_at", ADM_TSTZ, 0),
};

static const struct admin_resource domains_res = {
	.name = "domain", .title = "domain", .path = DOMAINS, .table = "tenant_domains",
	.fields = domain_fields, .nfields = ADMIN_NFIELDS(domain_fields),
	.flags = ADMIN_SOFT_DELETE | ADMIN_NO_UPDATE, .default_sort = "created_at",
	.unique_field = "hostname", .guard = domain_guard,
};

ADMIN_SINGLETON_HANDLERS(profile, tenants_profile_res)
ADMIN_SINGLETON_HANDLERS(branding, tenants_branding_res)
ADMIN_HANDLERS(hours, tenants_hours_res)
ADMIN_HANDLERS(closures, tenants_closures_res)
ADMIN_HANDLERS(origins, tenants_origins_res)

/* Domains have no PATCH: a new host name is a new domain to verify. */
static enum status
domains_list(struct request *r, struct response *w)
{
	return admin_list(&domains_res, r, w);
}

static enum status
domains_create(struct request *r, struct response *w)
{
	return admin_create(&domains_res, r, w);
}

static enum status
domains_get(struct request *r, struct response *w)
{
	return admin_get(&domains_res, r, w);
}

static enum status
domains_delete(struct request *r, struct response *w)
{
	return admin_delete(&domains_res, r, w);
}

/* PUT /v1/admin/hours {"intervals": [{weekday, opens, closes}]} ---------------------- */

static enum status
hours_replace(struct request *r, struct response *w)
{
	static const struct jv_field f[] = {
		{ "intervals", JV_ARRAY, true, false, 0, WEEK_INTERVALS_MAX, NULL, NULL, NULL },
	};
	struct admin_interval *iv;
	json_t *body, *want;
	size_t n;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK ||
	    (st = jv_validate(body, f, 1, &r->err)) != ST_OK ||
	    (st = admin_parse_intervals(r, body, "intervals", "opens", "closes",
	    WEEK_INTERVALS_MAX, &iv, &n)) != ST_OK)
		return st;
	want = admin_intervals_json(iv, n, "opens", "closes");
	arena_defer(r->arena, (void (*)(void *))json_decref, want);
	if ((st = tenants_hours_replace(&r->ctx, iv, n, want)) != ST_OK)
		return st;
	return reply_json(r, w, 200, json_pack("{s:O}", "intervals", want));
}

/* TXT lookups ----------------------------------------------------------------------------- */

/* Moves *p past a (possibly compressed) name in a DNS message. */
static bool
skip_name(const unsigned char *m, size_t len, size_t *p)
{
	for (int hops = 0; hops < 128; hops++) {
		unsigned c;

		if (*p >= len)
			return false;
		c = m[*p];
		if (c == 0) {
			(*p)++;
			return true;
		}
		if ((c & 0xc0) == 0xc0) {
			if (*p + 2 > len)
				return false;
			*p += 2;
			return true;
		}
		if (c & 0xc0)
			return false;
		*p += 1 + c;
	}
	return false;
}

/* The TXT records of a DNS answer (each record's strings joined), at most
 * max; -1 when the message is malformed. */
static int
txt_parse(struct arena *a, const unsigned char *m, size_t len, const char **out, int max)
{
	size_t p = 12;
	unsigned qd, an;
	int n = 0;

	if (len < 12)
		return -1;
	qd = (unsigned)m[4] << 8 | m[5];
	an = (unsigned)m[6] << 8 | m[7];
	for (unsigned i = 0; i < qd; i++) {
		if (!skip_name(m, len, &p) || p + 4 > len)
			return -1;
		p += 4;
	}
	for (unsigned i = 0; i < an; i++) {
		unsigned type, rdlen;

		if (!skip_name(m, len, &p) || p + 10 > len)
			return -1;
		type = (unsigned)m[p] << 8 | m[p + 1];
		rdlen = (unsigned)m[p + 8] << 8 | m[p + 9];
		p += 10;
		if (p + rdlen > len)
			return -1;
		if (type == 16 && n < max) {
			char *s = arena_alloc(a, rdlen + 1);
			size_t o = 0;

			for (size_t q = 0; q < rdlen;) {
				size_t l = m[p + q];

				if (q + 1 + l > rdlen)
					return -1;
				memcpy(s + o, m + p + q + 1, l);
				o += l;
				q += 1 + l;
			}
			s[o] = '\0';
			out[n++] = s;
		}
		p += rdlen;
	}
	return n;
}

/* The real resolver: the system's, with short timeouts (a verify request
 * waits for it, outside any transaction). */
static int
dns_txt_lookup(struct arena *a, const char *name, const char **out, int max)
{
	unsigned char answer[4096];
	int len;

	if (res_init() == 0) {
		_res.retrans = 2;
		_res.retry = 2;
	}
	len = res_query(name, C_IN, T_TXT, answer, sizeof(answer));
	if (len < 0)
		return h_errno == HOST_NOT_FOUND || h_errno == NO_DATA ? 0 : -1;
	return txt_parse(a, answer, (size_t)len, out, max);
}

/* The fake, for ENABLE_TEST_ROUTES: answers set by PUT /v1/test/dns-txt. */
#define FAKE_MAX 64

static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;
static struct { char name[260]; char value[256]; } fake[FAKE_MAX];
static size_t nfake;

static int
fake_txt_lookup(struct arena *a, const char *name, const char **out, int max)
{
	int n = 0;

	pthread_mutex_lock(&fake_mu);
	for (size_t i = 0; i < nfake && n < max; i++)
		if (strcmp(fake[i].name, name) == 0)
			out[n++] = arena_strdup(a, fake[i].value);
	pthread_mutex_unlock(&fake_mu);
	return n;
}

static int (*txt_lookup)(struct arena *, const char *, const char **, int) = dns_txt_lookup;

/* POST /v1/admin/domains/{id}/verify ------------------------------------------------- */

static enum status
domain_verify(struct request *r, struct response *w)
{
	const char *id, *records[TXT_RECORDS_MAX];
	char plan[16], *token, *name;
	enum plan_tier tier;
	json_t *row;
	bool verified = false;
	int n;
	enum status st;

	if ((st = admin_path_id(r, "id", "domain", &id)) != ST_OK)
		return st;
	if ((st = tenants_domain_load(&r->ctx, &domains_res, id, &row, plan)) != ST_OK)
		return st;
	if (strcmp(json_string_value(json_object_get(row, "kind")), "custom") != 0)
		return err_set(&r->err, ST_CONFLICT, "The platform subdomain needs no verification.");
	if (!plan_parse(plan, &tier))
		return err_set(&r->err, ST_INTERNAL, "%s", status_default_message(ST_INTERNAL));
	if ((st = plan_require(tier, FEAT_CUSTOM_DOMAIN, &r->err)) != ST_OK)
		return st;
	token = arena_strdup(r->arena, json_string_value(json_object_get(row,
	    "verification_token")));
	name = arena_printf(r->arena, "_receptionist.%s",
	    json_string_value(json_object_get(row, "hostname")));
	/* No transaction is open while DNS answers. */
	n = (r->ctx.cfg->test_routes ? fake_txt_lookup : txt_lookup)(r->arena, name, records,
	    TXT_RECORDS_MAX);
	if (n < 0)
		return err_set(&r->err, ST_UPSTREAM, "DNS did not answer for %s; retry later.", name);
	for (int i = 0; i < n; i++)
		verified = verified || strcmp(records[i], token) == 0;
	if ((st = tenants_domain_record(&r->ctx, &domains_res, id, token, verified,
	    &row)) != ST_OK)
		return st;
	return admin_reply_row(r, w, 200, row);
}

/* PUT /v1/test/dns-txt {"name": …, "values": […]} (test mode only) -------------------- */

static enum status
fake_dns_route(struct request *r, struct response *w)
{
	static const struct jv_field f[] = {
		{ "name", JV_STRING, true, false, 1, 255, NULL, NULL, NULL },
		{ "values", JV_ARRAY, true, false, 0, 8, NULL, NULL, NULL },
	};
	json_t *body, *v;
	const char *name;
	size_t i;
	enum status st;

	if ((st = http_json_body(r, &body)) != ST_OK || (st = jv_validate(body, f, 2, &r->err)))
		return st;
	name = json_string_value(json_object_get(body, "name"));
	pthread_mutex_lock(&fake_mu);
	for (i = 0; i < nfake;) {	/* replace the name's records */
		if (strcmp(fake[i].name, name) == 0)
			fake[i] = fake[--nfake];
		else
			i++;
	}
	json_array_foreach(json_object_get(body, "values"), i, v) {
		if (json_is_string(v) && nfake < FAKE_MAX) {
			snprintf(fake[nfake].name, sizeof(fake[nfake].name), "%s", name);
			snprintf(fake[nfake].value, sizeof(fake[nfake].value), "%s",
			    json_string_value(v));
			nfake++;
		}
	}
	pthread_mutex_unlock(&fake_mu);
	return reply_text(w, 204, NULL, "", 0);
}

static const struct route tenants_admin_test_routes_v[] = {
	{ HTTP_PUT, "/v1/test/dns-txt", fake_dns_route, TENANCY_NONE, 0, NULL },
};
const struct route_table tenants_admin_test_routes = TABLE_OF(tenants_admin_test_routes_v);

static const struct route tenants_admin_routes_v[] = {
	ADMIN_SINGLETON_ROUTES(profile, PROFILE, RES_PROFILE),
	ADMIN_SINGLETON_ROUTES(branding, BRANDING, RES_PROFILE),
	ADMIN_COLLECTION_ROUTES(hours, HOURS, RES_PROFILE),
	ADMIN_ROUTE(HTTP_PUT, HOURS, hours_replace, RES_PROFILE, VERB_WRITE),
	ADMIN_COLLECTION_ROUTES(closures, CLOSURES, RES_PROFILE),
	ADMIN_COLLECTION_ROUTES(origins, ORIGINS, RES_CHANNELS),
	ADMIN_ROUTE(HTTP_GET, DOMAINS, domains_list, RES_CHANNELS, VERB_READ),
	ADMIN_ROUTE(HTTP_POST, DOMAINS, domains_create, RES_CHANNELS, VERB_WRITE),
	ADMIN_ROUTE(HTTP_GET, DOMAINS "/{id}", domains_get, RES_CHANNELS, VERB_READ),
	ADMIN_ROUTE(HTTP_DELETE, DOMAINS "/{id}", domains_delete, RES_CHANNELS, VERB_WRITE),
	ADMIN_ROUTE(HTTP_POST, DOMAINS "/{id}/verify", domain_verify, RES_CHANNELS, VERB_WRITE),
};
const struct route_table tenants_admin_routes = TABLE_OF(tenants_admin_routes_v);
