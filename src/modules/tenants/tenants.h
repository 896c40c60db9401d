/* tenants.h — the tenants module's one public header: resolving which
 * tenant a request or a job is for (host, custom domain, X-Tenant-ID), the
 * in-process cache kept fresh by NOTIFY (other modules keep their per-tenant
 * text in it), the public profile, the platform operator's tenant
 * administration, and the operator commands. Services take a struct ctx. */
#ifndef TENANTS_H
#define TENANTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "http/http.h"

struct app;
struct db_tx;
struct page;

/* ---- the HTTP edge (tenants_routes.c) --------------------------------------- */

/* The resolver the HTTP layer calls for routes that need a tenant. */
enum status tenants_resolve(struct request *r) MUST_USE;

/* Cache lifecycle for `serve`: listens on tenant_changed. */
void tenants_cache_start(struct app *app);
void tenants_cache_stop(void);

extern const struct route_table tenants_routes;
/* The tenant's own settings through the admin API (tenants_admin.c):
 * profile, branding, business hours, closures, widget origins and custom
 * domains (with DNS TXT verification). */
extern const struct route_table tenants_admin_routes;
/* Mounted only with ENABLE_TEST_ROUTES: PUT /v1/test/dns-txt sets the
 * answers of the fake TXT resolver that replaces DNS in that mode. */
extern const struct route_table tenants_admin_test_routes;
/* /v1/platform (tenants_platform.c): mounted by auth_mount, with the
 * sessions it builds on. */
extern const struct route_table tenants_platform_routes;

/* ---- resolution (tenants_service.c) ----------------------------------------- */

/* "{slug}.{platform_domain}" → slug (one DNS label, lower case). */
bool tenants_host_slug(const char *host, const char *platform_domain,
    char *slug, size_t slugsz);

/* The tenant for a Host (may be NULL) and an optional X-Tenant-ID value
 * (id or slug; NULL when the route does not take one). ST_OK with the
 * active tenant in *out; otherwise ST_INVALID / ST_NOTFOUND / ST_FORBIDDEN
 * described in c->err. */
enum status tenants_lookup(struct ctx *c, const char *host, const char *header_ref,
    struct tenant_ref *out) MUST_USE;

/* ---- per-tenant text, cached (tenants_cache.c, tenants_service.c) ------------ */

/* Text a module rebuilds from several tables, keyed "<kind>:<tenant id>"
 * (the public profile "p:", the portal "w:", the widget origins "o:", the
 * receptionist's knowledge "ai:") and dropped with its tenant's entries. A
 * hit is copied into a; *gen_out is the generation to put a rebuilt text
 * under (a put that raced a change is dropped). */
const char *tcache_text_get(const char *key, struct arena *a, uint64_t *gen_out);
void tcache_text_put(const char *key, const char *text, uint64_t gen);
/* Drops everything kept for the tenant, in this process, now: what a
 * tenant_changed NOTIFY does, and what a module calls after its own commit
 * changed what it keeps (other processes learn it from the NOTIFY a moment
 * later). */
void tcache_invalidate(const char *tenant_id);

/* ---- the claims on a tenant's time, cached (tenants_cache.c) ------------- */

/* What availability reads changes with every booking, hold and
 * cancellation, so it is kept under the tenant's claims stamp rather than
 * the generation: an entry is good only while the stamp it was read under
 * is still the tenant's. The stamp moves when PostgreSQL notifies
 * claims_changed (any process's commit; migration 0033) and when this
 * process calls tcache_claims_touch right after a commit of its own (the
 * NOTIFY comes back a moment later). Read the stamp BEFORE reading the
 * claims from the database, and put the copy under that stamp: a copy read
 * under a stamp that has moved since is not kept. "what" names the entry
 * within the tenant (the window). Entries live at most 10 s and 64 MiB in all. */
uint64_t tcache_claims_stamp(const char *tenant_id);
void tcache_claims_touch(const char *tenant_id);
const void *tcache_claims_get(const char *tenant_id, const char *what, struct arena *a,
    size_t *len);
void tcache_claims_put(const char *tenant_id, const char *what, uint64_t stamp,
    const void *data, size_t len);

/* Reads "<kind>:<c's tenant>" from the cache, or builds it with load in a
 * transaction of c's tenant and caches it. *text lives in c->arena. */
typedef enum status (*tenants_text_fn)(struct db_tx *tx, const char **text);
enum status tenants_cached_text(struct ctx *c, const char *kind, tenants_text_fn load,
    const char **text) MUST_USE;

/* The public profile (GET /v1/public/tenant) as JSON text. */
enum status tenants_public_profile(struct ctx *c, const char **json) MUST_USE;

/* ---- creating and changing tenants (tenants_service.c) ------------------------ */

struct tenant_new {
	const char *slug;
	const char *name;
	const char *timezone;
	const char *plan;
};
/* Creates a tenant with its profile, branding and subdomain record, and
 * audits it, in the caller's transaction (owner connection). */
enum status tenants_create(struct db_tx *tx, const struct tenant_new *in,
    char out_id[UUID_STR_LEN + 1]) MUST_USE;
/* The same in a transaction of its own (the operator's `tenant create`). */
enum status tenants_add(struct ctx *c, const struct tenant_new *in,
    char out_id[UUID_STR_LEN + 1]) MUST_USE;

/* Every tenant, for the operator (owner connection). */
struct tenant_row {
	const char *id, *slug, *status, *plan, *name, *timezone;
};
enum status tenants_list(struct ctx *c, struct tenant_row **rows, size_t *n) MUST_USE;
/* active / suspended by slug, audited in that tenant (the operator). */
enum status tenants_set_status_by_slug(struct ctx *c, const char *slug,
    const char *status) MUST_USE;

/* The platform operator (c->principal a platform administrator; the
 * database re-checks it). Tenants as JSON objects. */
/* status and q (slug or name contains, case-insensitive) may be NULL. */
enum status tenants_platform_list(struct ctx *c, const char *status, const char *q,
    const struct page *pg, json_t **items, json_t **next) MUST_USE;
/* With owner_email (may be NULL), the tenant's first owner is invited in
 * the same transaction; the answer then carries the invitation. */
enum status tenants_platform_create(struct ctx *c, const struct tenant_new *in,
    const char *owner_email, json_t **out) MUST_USE;
/* One tenant with this month's usage, pending invitations and the
 * platform's recent activity in it (support sessions included). */
enum status tenants_platform_get(struct ctx *c, const char *id, json_t **out) MUST_USE;
/* Tenants by plan and status, this month's usage totals. */
enum status tenants_platform_overview(struct ctx *c, json_t **out) MUST_USE;
/* reason (may be NULL) goes into the audit row. *out stays NULL for
 * "deleted". */
enum status tenants_platform_set_status(struct ctx *c, const char *id, const char *status,
    const char *reason, json_t **out) MUST_USE;
enum status tenants_platform_set_plan(struct ctx *c, const char *id, const char *plan,
    json_t **out) MUST_USE;
/* A support session bound to tenant_id, entered on the tenant's host with
 * the one-time hand-off token returned in handoff (SEC_TOKEN_CHARS + 1,
 * good for ACT_AS_HANDOFF_S): see POST /v1/auth/act-as/exchange. */
#define ACT_AS_HANDOFF_S 60
struct act_as_in {
	const char *tenant_id;
	int minutes;
	bool write;
	const char *reason;
	const char *remote_addr;
};
enum status tenants_platform_act_as(struct ctx *c, const struct act_as_in *in, char *handoff,
    json_t **out) MUST_USE;

/* ---- the admin engine's descriptors (tenants_admin.c) ------------------------- */

/* For admin_svc_* callers outside HTTP (the demo): the profile and
 * branding singletons, opening intervals, closures, widget origins. */
struct admin_resource;
extern const struct admin_resource tenants_profile_res;
extern const struct admin_resource tenants_branding_res;
extern const struct admin_resource tenants_hours_res;
extern const struct admin_resource tenants_closures_res;
extern const struct admin_resource tenants_origins_res;

/* ---- operator commands (tenants_cli.c) ---------------------------------------- */

/* Owner connection. Return a process exit code. */
int tenants_cli(struct app *app, int argc, char **argv);

#endif
