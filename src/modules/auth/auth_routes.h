/* auth_routes.h — the route tables auth_mount puts on the router: sign-in
 * (/v1/auth), account administration (/v1/admin: users, invitations, API
 * keys, security, outbox) and the test-only matrix route. (The platform
 * operator's /v1/platform table is the tenants module's, in tenants.h.) */
#ifndef AUTH_ROUTES_H
#define AUTH_ROUTES_H

#include <stddef.h>

#include "http/http.h"

extern const struct route auth_routes[];
extern const size_t auth_nroutes;
extern const struct route auth_admin_routes[];
extern const size_t auth_admin_nroutes;
extern const struct route auth_test_routes[];
extern const size_t auth_test_nroutes;

#endif
