/* tenants.h — tenants: resolution of the request's tenant (host, custom
 * domain, X-Tenant-ID), the in-process cache kept fresh by NOTIFY, the
 * public profile, and the operator commands. */
#ifndef TENANTS_H
#define TENANTS_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

struct app;
struct db_tx;

/* The resolver the HTTP layer calls for routes that need a tenant. */
enum status tenants_resolve(struct request *r) MUST_USE;

/* "{slug}.{platform_domain}" → slug (one DNS label, lower case). */
bool tenants_host_slug(const char *host, const char *platform_domain,
    char *slug, size_t slugsz);

/* Cache lifecycle for `serve`: listens on tenant_changed. */
void tenants_cache_start(struct app *app);
void tenants_cache_stop(void);

extern const struct route tenants_routes[];
extern const size_t tenants_nroutes;

/* Operator commands (owner connection). Return a process exit code. */
int tenants_cli(struct app *app, int argc, char **argv);
int tenants_seed_demo(struct app *app, int argc, char **argv);

/* Creates a tenant with its profile, branding and subdomain record, and
 * audits it, in one transaction. */
struct tenant_new {
	const char *slug;
	const char *name;
	const char *timezone;
	const char *plan;
};
enum status tenants_create(struct db_tx *tx, const struct tenant_new *in,
    char out_id[UUID_STR_LEN + 1]) MUST_USE;

#endif
