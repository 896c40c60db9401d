/* tenants_service.c — the tenants module's rules, each taking a struct ctx:
 * which tenant a host name or an X-Tenant-ID names (through the cache),
 * the public profile, creating tenants and changing their status (the
 * operator), and the platform administrator's tenant management. SQL is in
 * tenants_store.c; the HTTP edge in tenants_routes.c and
 * tenants_platform.c. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/crypto.h"
#include "db/db.h"
#include "modules/audit/audit.h"
#include "modules/auth/auth.h"
#include "modules/tenants/tenants.h"
#include "modules/tenants/tenants_cache.h"
#include "modules/tenants/tenants_store.h"

bool
tenants_host_slug(const char *host, const char *platform_domain, char *slug,
    size_t slugsz)
{
	size_t hl = strlen(host), dl = strlen(platform_domain), sl;

	if (hl <= dl + 1 || host[hl - dl - 1] != '.' ||
	    strcmp(host + hl - dl, platform_domain) != 0)
		return false;
	sl = hl - dl - 1;
	if (sl == 0 || sl >= slugsz || sl > 63)
		return false;
	for (size_t i = 0; i < sl; i++) {
		unsigned char c = (unsigned char)host[i];

		/* One DNS label: "a.b.example.com" is not a tenant subdomain. */
		if (!(islower(c) || isdigit(c) || (c == '-' && i > 0 && i < sl - 1)))
			return false;
	}
	memcpy(slug, host, sl);
	slug[sl] = '\0';
	return true;
}

/* Looks key up in the cache, else asks the database. */
static enum status
lookup(struct ctx *c, const char *key, bool by_host, const char *arg, bool *found,
    struct tenant_ref *out)
{
	struct db_tx tx;
	uint64_t gen;
	enum status st;

	if (tcache_get_ref(key, found, out))
		return ST_OK;
	gen = tcache_generation();
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = by_host ? tenants_store_resolve_host(&tx, arg, found, out)
	    : tenants_store_resolve_ref(&tx, arg, found, out);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	tcache_put_ref(key, *found, out, gen);
	return ST_OK;
}

static enum status
from_host(struct ctx *c, const char *host, bool *found, struct tenant_ref *out)
{
	const char *domain = c->cfg->platform_domain;
	char slug[64];

	*found = false;
	if (host == NULL || host[0] == '\0')
		return ST_OK;
	if (tenants_host_slug(host, domain, slug, sizeof(slug)))
		return lookup(c, arena_printf(c->arena, "r:%s", slug), false, slug, found, out);
	/* The platform's own host names carry no tenant. */
	if (strcmp(host, domain) == 0)
		return ST_OK;
	if (strlen(host) > 253)
		return ST_OK;
	return lookup(c, arena_printf(c->arena, "h:%s", host), true, host, found, out);
}

static bool
ref_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return id_is_uuid(s);
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
			return id_is_uuid(s);
	return true;
}

enum status
tenants_lookup(struct ctx *c, const char *host, const char *hdr, struct tenant_ref *out)
{
	struct tenant_ref host_ref, hdr_ref;
	bool host_found = false, hdr_found = false;
	enum status st;

	if ((st = from_host(c, host, &host_found, &host_ref)) != ST_OK)
		return st;
	if (hdr != NULL) {
		if (!ref_ok(hdr)) {
			err_detail(c->err, "X-Tenant-ID", "must be a tenant id or slug");
			return err_set(c->err, ST_INVALID, "The X-Tenant-ID header is invalid.");
		}
		if ((st = lookup(c, arena_printf(c->arena, "r:%s", hdr), false, hdr,
		    &hdr_found, &hdr_ref)) != ST_OK)
			return st;
		if (!hdr_found)
			return err_set(c->err, ST_NOTFOUND, "No business matches X-Tenant-ID.");
		if (host_found && strcmp(host_ref.id, hdr_ref.id) != 0)
			return err_set(c->err, ST_INVALID,
			    "X-Tenant-ID names a different business than the host.");
		host_ref = hdr_ref;
		host_found = true;
	}
	if (!host_found || strcmp(host_ref.status, "deleted") == 0)
		return err_set(c->err, ST_NOTFOUND, "No business is configured for this address.");
	if (strcmp(host_ref.status, "active") != 0)
		return err_set(c->err, ST_FORBIDDEN, "This business is currently unavailable.");
	*out = host_ref;
	return ST_OK;
}

/* ---- per-tenant text ---------------------------------------------------------- */

enum status
tenants_cached_text(struct ctx *c, const char *kind, tenants_text_fn load, const char **text)
{
	const char *key = arena_printf(c->arena, "%s:%s", kind, c->tenant.id);
	struct db_tx tx;
	uint64_t gen;
	enum status st;

	if ((*text = tcache_text_get(key, c->arena, &gen)) != NULL)
		return ST_OK;
	if ((st = db_tx_begin(&tx, c)) != ST_OK)
		return st;
	st = load(&tx, text);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	tcache_text_put(key, *text, gen);
	return ST_OK;
}

enum status
tenants_public_profile(struct ctx *c, const char **json)
{
	return tenants_cached_text(c, "p", tenants_store_public_json, json);
}

/* ---- the operator -------------------------------------------------------------- */

/* The command line is audited as the platform acting from "cli". */
static const struct audit_actor operator_actor = { "platform", "cli", NULL, NULL };

enum status
tenants_create(struct db_tx *tx, const struct tenant_new *in, char out_id[UUID_STR_LEN + 1])
{
	enum status st;

	id_uuid_v4(out_id);
	/* The new tenant's rows must pass its own RLS policy. */
	if ((st = db_tx_set_tenant(tx, out_id)) != ST_OK)
		return st;
	if ((st = tenants_store_insert(tx, in, out_id)) != ST_OK)
		return st;
	return audit_record(tx, &operator_actor, "tenant.created", "tenant", out_id,
	    json_pack("{s:s, s:s}", "slug", in->slug, "plan", in->plan));
}

enum status
tenants_add(struct ctx *c, const struct tenant_new *in, char out_id[UUID_STR_LEN + 1])
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = tenants_create(&tx, in, out_id);
	return db_tx_end(&tx, st);
}

enum status
tenants_list(struct ctx *c, struct tenant_row **rows, size_t *n)
{
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = tenants_store_list(&tx, rows, n);
	return db_tx_end(&tx, st);
}

enum status
tenants_set_status_by_slug(struct ctx *c, const char *slug, const char *status)
{
	char id[UUID_STR_LEN + 1];
	struct db_tx tx;
	enum status st;

	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	if ((st = tenants_store_set_status(&tx, slug, status, id)) != ST_OK ||
	    (st = db_tx_set_tenant(&tx, id)) != ST_OK)
		goto out;
	st = audit_record(&tx, &operator_actor, strcmp(status, "active") == 0
	    ? "tenant.restored" : "tenant.suspended", "tenant", id, NULL);
out:
	return db_tx_end(&tx, st);
}

/* ---- the platform administrator --------------------------------------------------- */

static const char *
admin_id(const struct ctx *c)
{
	return c->principal->id;
}

static json_t *
tenant_json(const char *text)
{
	return text ? json_loads(text, 0, NULL) : NULL;
}

enum status
tenants_platform_list(struct ctx *c, const char *status, const char *q, const struct page *pg,
    json_t **items, json_t **next)
{
	struct platform_tenant_row *rows = NULL;
	struct db_tx tx;
	size_t n = 0;
	enum status st;

	*items = json_array();
	*next = json_null();
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = tenants_store_platform_list(&tx, admin_id(c), status, q, pg->after_ts, pg->after_id,
	    pg->limit + 1, &rows, &n);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	for (size_t i = 0; i < n && i < (size_t)pg->limit; i++)
		json_array_append_new(*items, tenant_json(rows[i].json));
	if (n > (size_t)pg->limit) {
		json_decref(*next);
		*next = auth_page_cursor(c->arena, rows[pg->limit - 1].created_at,
		    rows[pg->limit - 1].id);
	}
	return ST_OK;
}

enum status
tenants_platform_create(struct ctx *c, const struct tenant_new *in, const char *owner_email,
    json_t **out)
{
	const char *id, *json = NULL;
	json_t *invitation = NULL;
	struct db_tx tx;
	enum status st;

	*out = NULL;
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	if ((st = tenants_store_platform_create(&tx, admin_id(c), in, c->request_id,
	    &id)) != ST_OK) {
		if (st == ST_CONFLICT)
			err_set(c->err, st, "A tenant with this slug already exists.");
		if (st == ST_INVALID && strcmp(tx.sqlstate, "23514") == 0) {
			err_detail(c->err, "timezone", "must be an IANA time zone");
			err_set(c->err, st, "Some fields are invalid.");
		}
		goto out;
	}
	/* The invitation is the new tenant's row: its RLS context. */
	if (owner_email != NULL && ((st = db_tx_set_tenant(&tx, id)) != ST_OK ||
	    (st = auth_platform_invite_owner(c, &tx, owner_email, &invitation)) != ST_OK))
		goto out;
	st = tenants_store_platform_get(&tx, admin_id(c), id, &json);
out:
	if ((st = db_tx_end(&tx, st)) == ST_OK) {
		*out = tenant_json(json);
		if (invitation != NULL)
			json_object_set(*out, "invitation", invitation);
	}
	json_decref(invitation);
	return st;
}

static enum status
platform_json(struct ctx *c, const char *id, json_t **out)
{
	const char *json = NULL;
	struct db_tx tx;
	enum status st;

	*out = NULL;
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	st = id ? tenants_store_platform_detail(&tx, admin_id(c), id, &json)
	    : tenants_store_platform_overview(&tx, admin_id(c), &json);
	if ((st = db_tx_end(&tx, st)) != ST_OK)
		return st;
	if (json == NULL)
		return err_set(c->err, ST_NOTFOUND, "No tenant with this id.");
	*out = tenant_json(json);
	return ST_OK;
}

enum status
tenants_platform_get(struct ctx *c, const char *id, json_t **out)
{
	return platform_json(c, id, out);
}

enum status
tenants_platform_overview(struct ctx *c, json_t **out)
{
	return platform_json(c, NULL, out);
}

typedef enum status (*platform_change_fn)(struct db_tx *, const char *, const char *,
    const char *, const char *, bool *);

/* A change through one of the platform functions, then the tenant as it
 * now is (unless want_row is false). */
static enum status
platform_change(struct ctx *c, platform_change_fn change, const char *id, const char *value,
    bool want_row, json_t **out)
{
	const char *json = NULL;
	struct db_tx tx;
	bool found = false;
	enum status st;

	*out = NULL;
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	if ((st = change(&tx, admin_id(c), id, value, c->request_id, &found)) != ST_OK)
		goto out;
	if (!found)
		st = err_set(c->err, ST_NOTFOUND, "No tenant with this id.");
	else if (want_row)
		st = tenants_store_platform_get(&tx, admin_id(c), id, &json);
out:
	if ((st = db_tx_end(&tx, st)) == ST_OK)
		*out = tenant_json(json);
	return st;
}

enum status
tenants_platform_set_status(struct ctx *c, const char *id, const char *status,
    const char *reason, json_t **out)
{
	const char *json = NULL;
	struct db_tx tx;
	bool found = false;
	enum status st;

	*out = NULL;
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	if ((st = tenants_store_platform_set_status(&tx, admin_id(c), id, status, reason,
	    c->request_id, &found)) != ST_OK)
		goto out;
	if (!found)
		st = err_set(c->err, ST_NOTFOUND, "No tenant with this id.");
	else if (strcmp(status, "deleted") != 0)
		st = tenants_store_platform_get(&tx, admin_id(c), id, &json);
out:
	if ((st = db_tx_end(&tx, st)) == ST_OK)
		*out = tenant_json(json);
	return st;
}

enum status
tenants_platform_set_plan(struct ctx *c, const char *id, const char *plan, json_t **out)
{
	return platform_change(c, tenants_store_platform_set_plan, id, plan, true, out);
}

enum status
tenants_platform_act_as(struct ctx *c, const struct act_as_in *in, char *handoff, json_t **out)
{
	char token[SEC_TOKEN_CHARS + 1], csrf[SEC_TOKEN_CHARS + 1];
	unsigned char hash[32], hhash[32];
	const char *handoff_expires = NULL;
	struct act_as_row row;
	struct db_tx tx;
	enum status st;

	*out = NULL;
	/* The session's own token is never handed out: the tenant's host
	 * replaces it when the hand-off token is exchanged there. */
	sec_random_token(token);
	sec_random_token(csrf);
	sec_random_token(handoff);
	sec_sha256(token, hash);
	sec_sha256(handoff, hhash);
	sodium_memzero(token, sizeof(token));
	if ((st = db_tx_begin_as(&tx, c, NULL)) != ST_OK)
		return st;
	if ((st = tenants_store_act_as_start(&tx, admin_id(c), in,
	    sec_bytea_hex(c->arena, hash, 32), csrf, c->request_id, &row)) != ST_OK)
		goto out;
	if (!row.found) {
		st = err_set(c->err, ST_NOTFOUND, "No active tenant with this id.");
		goto out;
	}
	if ((st = tenants_store_act_as_handoff(&tx, admin_id(c), row.session_id,
	    sec_bytea_hex(c->arena, hhash, 32), ACT_AS_HANDOFF_S, &handoff_expires)) != ST_OK)
		goto out;
	*out = json_pack("{s:s, s:s, s:s, s:b, s:{s:s, s:s}}", "session_id", row.session_id,
	    "tenant_id", in->tenant_id, "expires_at", row.expires_at, "write", in->write,
	    "handoff", "token", handoff, "expires_at", handoff_expires ? handoff_expires : "");
out:
	sodium_memzero(csrf, sizeof(csrf));
	if ((st = db_tx_end(&tx, st)) != ST_OK) {
		json_decref(*out);
		*out = NULL;
		sodium_memzero(handoff, SEC_TOKEN_CHARS + 1);
	}
	return st;
}
