/* authz.c — the permission matrix. Change who may do what here only. */
#include "modules/auth/authz.h"

#include <string.h>

#define R VERB_READ
#define W (VERB_READ | VERB_WRITE)

/* role × resource → verbs allowed. */
static const unsigned char matrix[ROLE__COUNT][RES__COUNT] = {
	[ROLE_OWNER] = {
		[RES_PROFILE] = W, [RES_CHANNELS] = W, [RES_CATALOG] = W, [RES_KNOWLEDGE] = W,
		[RES_STAFF] = W, [RES_USERS] = W, [RES_API_KEYS] = W, [RES_AI_SETTINGS] = W,
		[RES_SECURITY] = W, [RES_AUDIT] = R, [RES_BOOKINGS] = W, [RES_CUSTOMERS] = W,
		[RES_CONVERSATIONS] = W, [RES_ORDERS] = W, [RES_BILLING] = W, [RES_ANALYTICS] = R,
	},
	/* Everything but the tenant's security settings and its bill. */
	[ROLE_ADMIN] = {
		[RES_PROFILE] = W, [RES_CHANNELS] = W, [RES_CATALOG] = W, [RES_KNOWLEDGE] = W,
		[RES_STAFF] = W, [RES_USERS] = W, [RES_API_KEYS] = W, [RES_AI_SETTINGS] = W,
		[RES_SECURITY] = R, [RES_AUDIT] = R, [RES_BOOKINGS] = W, [RES_CUSTOMERS] = W,
		[RES_CONVERSATIONS] = W, [RES_ORDERS] = W, [RES_BILLING] = R, [RES_ANALYTICS] = R,
	},
	/* Sees the business, changes nothing; no keys, no bill. */
	[ROLE_VIEWER] = {
		[RES_PROFILE] = R, [RES_CHANNELS] = R, [RES_CATALOG] = R, [RES_KNOWLEDGE] = R,
		[RES_STAFF] = R, [RES_USERS] = R, [RES_AI_SETTINGS] = R, [RES_AUDIT] = R,
		[RES_BOOKINGS] = R, [RES_CUSTOMERS] = R, [RES_CONVERSATIONS] = R,
		[RES_ORDERS] = R, [RES_ANALYTICS] = R,
	},
	/* Works the schedule: what they sell and when, and the bookings (the
	 * handlers narrow bookings to the staff member's own). */
	[ROLE_STAFF] = {
		[RES_PROFILE] = R, [RES_CATALOG] = R, [RES_KNOWLEDGE] = R, [RES_STAFF] = R,
		[RES_BOOKINGS] = R,
	},
	/* Orders and appointments only (seed 002). */
	[ROLE_ORDER_MANAGER] = {
		[RES_PROFILE] = R, [RES_CATALOG] = R, [RES_STAFF] = R, [RES_BOOKINGS] = W,
		[RES_CUSTOMERS] = R, [RES_ORDERS] = W,
	},
	/* Financial data only (seed 002). */
	[ROLE_ACCOUNTANT] = {
		[RES_BILLING] = R, [RES_ANALYTICS] = R, [RES_ORDERS] = R,
	},
};

static const char *const role_names[ROLE__COUNT] = {
	[ROLE_NONE] = "NONE", [ROLE_OWNER] = "OWNER", [ROLE_ADMIN] = "ADMIN",
	[ROLE_VIEWER] = "VIEWER", [ROLE_STAFF] = "STAFF",
	[ROLE_ORDER_MANAGER] = "ORDER_MANAGER", [ROLE_ACCOUNTANT] = "ACCOUNTANT",
};

static const char *const resource_names[RES__COUNT] = {
	[RES_NONE] = "account", [RES_PROFILE] = "profile", [RES_CHANNELS] = "channels",
	[RES_CATALOG] = "catalog", [RES_KNOWLEDGE] = "knowledge", [RES_STAFF] = "staff",
	[RES_USERS] = "users", [RES_API_KEYS] = "api_keys", [RES_AI_SETTINGS] = "ai_settings",
	[RES_SECURITY] = "security", [RES_AUDIT] = "audit_log", [RES_BOOKINGS] = "bookings",
	[RES_CUSTOMERS] = "customers", [RES_CONVERSATIONS] = "conversations",
	[RES_ORDERS] = "orders", [RES_BILLING] = "billing", [RES_ANALYTICS] = "analytics",
};

bool
authz_role_can(enum role role, enum resource res, enum verb verb)
{
	if ((unsigned)role >= ROLE__COUNT || (unsigned)res >= RES__COUNT)
		return false;
	return (matrix[role][res] & verb) == verb;
}

enum role
authz_role_parse(const char *name)
{
	for (int r = ROLE_OWNER; r < ROLE__COUNT; r++)
		if (name != NULL && strcmp(role_names[r], name) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

const char *
authz_role_name(enum role role)
{
	return (unsigned)role < ROLE__COUNT ? role_names[role] : "NONE";
}

const char *
authz_resource_name(enum resource res)
{
	return (unsigned)res < RES__COUNT ? resource_names[res] : "unknown";
}

enum status
authz_check(const struct principal *p, int perm, struct err *e)
{
	enum resource res;
	enum verb verb;

	if (perm == 0)
		return ST_OK;
	if (p == NULL)
		return err_set(e, ST_UNAUTHENTICATED, "Sign in or send an API key.");
	if (perm == PERM_PLATFORM) {
		if (p->kind == PRINCIPAL_USER && p->platform_admin && !p->act_as)
			return ST_OK;
		return err_set(e, ST_FORBIDDEN, "Only platform administrators may do this.");
	}
	res = PERM_RESOURCE(perm);
	verb = PERM_VERB(perm);
	if (res == RES_NONE)
		return ST_OK;
	/* Support sessions are read-only unless explicitly escalated. */
	if (p->act_as && verb == VERB_WRITE && !p->act_as_write)
		return err_set(e, ST_FORBIDDEN, "This support session is read-only.");
	if ((p->kind == PRINCIPAL_API_KEY || p->kind == PRINCIPAL_SERVICE) &&
	    !(p->scopes & SCOPE_BIT(res)))
		return err_set(e, ST_FORBIDDEN, "This %s's scopes do not include %s.",
		    p->kind == PRINCIPAL_API_KEY ? "API key" : "service token",
		    authz_resource_name(res));
	if (!authz_role_can(p->role, res, verb))
		return err_set(e, ST_FORBIDDEN, "Your role may not %s %s.",
		    verb == VERB_WRITE ? "change" : "see", authz_resource_name(res));
	return ST_OK;
}

bool
authz_may(const struct principal *p, enum resource res, enum verb verb)
{
	struct err e = { 0 };

	return authz_check(p, PERM(res, verb), &e) == ST_OK;
}

/* OWNER above ADMIN above everyone else: one may hand out (invite, assign,
 * put on an API key) only a role that is not above one's own. */
static int
rank(enum role r)
{
	return r == ROLE_OWNER ? 3 : r == ROLE_ADMIN ? 2 : r == ROLE_NONE ? 0 : 1;
}

bool
authz_role_may_grant(enum role actor, enum role target)
{
	return target != ROLE_NONE && rank(actor) >= rank(target);
}
