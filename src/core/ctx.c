/* ctx.c — building a service context. */
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"

void
ctx_init(struct ctx *c, enum actor_kind actor, struct arena *a, struct err *e,
    struct db_pool *pool, const struct config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->actor = actor;
	c->arena = a;
	c->err = e;
	c->pool = pool;
	c->cfg = cfg;
}

void
ctx_set_tenant(struct ctx *c, const char *tenant_id)
{
	memset(&c->tenant, 0, sizeof(c->tenant));
	c->has_tenant = tenant_id != NULL;
	if (tenant_id != NULL)
		snprintf(c->tenant.id, sizeof(c->tenant.id), "%s", tenant_id);
}

const char *
ctx_tenant_id(const struct ctx *c)
{
	return c->has_tenant ? c->tenant.id : NULL;
}

bool
ctx_cancelled(const struct ctx *c)
{
	return c->cancelled != NULL && atomic_load(c->cancelled);
}
