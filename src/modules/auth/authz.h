/* authz.h — who is calling (the principal) and the one permission matrix
 * that decides what each role may do. Routes declare the permission they
 * need; the HTTP layer asks authz before the handler runs, and handlers
 * that need finer checks (e.g. STAFF seeing only their own bookings) ask
 * again with the same functions. No role is compared as a string anywhere
 * else. */
#ifndef AUTHZ_H
#define AUTHZ_H

#include <stdbool.h>

#include "core/ids.h"
#include "core/status.h"

struct request;

enum role {
	ROLE_NONE,
	ROLE_OWNER,
	ROLE_ADMIN,
	ROLE_VIEWER,
	ROLE_STAFF,
	ROLE_ORDER_MANAGER,
	ROLE_ACCOUNTANT,
	ROLE__COUNT
};

/* What is being touched. */
enum resource {
	RES_NONE,
	RES_PROFILE,		/* profile, branding, hours, closures, policies */
	RES_CHANNELS,		/* widget origins, domains */
	RES_CATALOG,		/* services, add-ons */
	RES_KNOWLEDGE,		/* FAQs */
	RES_STAFF,		/* staff, schedules, time off, resources */
	RES_USERS,		/* users, invitations */
	RES_API_KEYS,
	RES_AI_SETTINGS,
	RES_SECURITY,		/* tenant security settings (mandatory 2FA) */
	RES_AUDIT,
	RES_BOOKINGS,
	RES_CUSTOMERS,
	RES_CONVERSATIONS,
	RES_ORDERS,
	RES_BILLING,
	RES_ANALYTICS,
	RES__COUNT
};

enum verb { VERB_READ = 1, VERB_WRITE = 2 };

/* A route's requirement: PERM(RES_CATALOG, VERB_WRITE). 0 = public. */
#define PERM(res, verb) (((res) << 2) | (verb))
#define PERM_RESOURCE(p) ((enum resource)((p) >> 2))
#define PERM_VERB(p) ((enum verb)((p) & 3))
/* Signed in, any role (e.g. "who am I", enrol 2FA). */
#define PERM_AUTHENTICATED PERM(RES_NONE, VERB_READ)
/* The platform operator's routes. */
#define PERM_PLATFORM (-1)

enum principal_kind {
	PRINCIPAL_USER = 1,	/* a signed-in person (session cookie) */
	PRINCIPAL_API_KEY,	/* Authorization: Bearer rk_… */
	PRINCIPAL_SERVICE,	/* a signed service token */
};

/* API key scopes: which resources a key may touch, on top of its role. */
#define SCOPE_BIT(res) (1u << (res))
#define SCOPE_ALL (~0u)

struct principal {
	enum principal_kind kind;
	char id[UUID_STR_LEN + 1];	/* user, key or service subject */
	char session_id[UUID_STR_LEN + 1];
	enum role role;			/* in the request's tenant */
	bool platform_admin;
	bool act_as;			/* a platform admin acting as this tenant */
	bool act_as_write;		/* … escalated to write */
	char act_as_admin_id[UUID_STR_LEN + 1];
	unsigned scopes;		/* SCOPE_BIT(res) set, for API keys and service tokens */
	bool needs_csrf;		/* cookie-authenticated: mutations need the token */
	bool mfa_satisfied;
};

bool authz_role_can(enum role role, enum resource res, enum verb verb);
enum role authz_role_parse(const char *name);		/* ROLE_NONE if unknown */
const char *authz_role_name(enum role role);
const char *authz_resource_name(enum resource res);

/* Whether actor may give target to someone (or to an API key): never a
 * role above its own. */
bool authz_role_may_grant(enum role actor, enum role target);

/* ST_OK, or ST_FORBIDDEN with a message. Takes act-as read-only and API
 * key scopes into account. */
enum status authz_check(const struct principal *p, int perm, struct err *e) MUST_USE;

/* authz_check without the message: what the admin app asks to decide which
 * pages and buttons to show (GET /v1/admin/permissions). */
bool authz_may(const struct principal *p, enum resource res, enum verb verb);

#endif
