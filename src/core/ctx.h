/* ctx.h — what a service is given to act: for whom (the tenant), by whom
 * (the actor), with what (arena, pool, configuration) and where to say what
 * went wrong. The HTTP layer builds one per request, the job runner one per
 * job, the CLI and webhooks one each; services and stores never see where
 * it came from, so every caller reaches the same rules. */
#ifndef CORE_CTX_H
#define CORE_CTX_H

#include <stdatomic.h>
#include <stdbool.h>

#include "core/arena.h"
#include "core/ids.h"
#include "core/status.h"

struct config;
struct db_pool;
struct metrics;
struct principal;	/* the auth module's: a user, API key or service token */

/* The tenant a context acts for, once resolved. */
struct tenant_ref {
	char id[UUID_STR_LEN + 1];
	char status[16];
	char plan[16];
};

/* Who acts when there is no signed-in principal. */
enum actor_kind {
	ACTOR_PUBLIC = 0,	/* a customer on the public surface (portal, widget, chat) */
	ACTOR_PRINCIPAL,	/* ctx.principal: a user, an API key or a service token */
	ACTOR_SYSTEM,		/* a job or a periodic task */
	ACTOR_WEBHOOK,		/* a provider's verified callback */
	ACTOR_OPERATOR,		/* the command line, run by whoever runs the deployment */
};

struct ctx {
	struct arena *arena;		/* owns everything the call allocates */
	struct err *err;		/* what went wrong, in words for the caller */
	struct db_pool *pool;
	const struct config *cfg;
	struct metrics *metrics;	/* may be NULL (CLI) */
	const char *request_id;		/* for logs; may be NULL */

	bool has_tenant;
	struct tenant_ref tenant;

	enum actor_kind actor;
	const struct principal *principal;	/* set with ACTOR_PRINCIPAL */

	/* Set when the caller went away (a client disconnected, the worker
	 * is stopping): long calls check it and stop. May be NULL. */
	atomic_bool *cancelled;
};

/* A context with no tenant yet; the caller sets what else it knows. */
void ctx_init(struct ctx *c, enum actor_kind actor, struct arena *a, struct err *e,
    struct db_pool *pool, const struct config *cfg);
/* Binds the context to a tenant (id only: status and plan stay empty). */
void ctx_set_tenant(struct ctx *c, const char *tenant_id);
/* The tenant id, or NULL when the context has none. */
const char *ctx_tenant_id(const struct ctx *c);
/* Whether the caller went away. */
bool ctx_cancelled(const struct ctx *c);

#endif
