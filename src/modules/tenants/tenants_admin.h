/* tenants_admin.h — the tenant's own settings through the admin API:
 * profile, branding, business hours, closures, widget origins and custom
 * domains (with DNS TXT verification). */
#ifndef TENANTS_ADMIN_H
#define TENANTS_ADMIN_H

#include <stddef.h>

#include "http/http.h"

extern const struct route tenants_admin_routes[];
extern const size_t tenants_admin_nroutes;

/* Mounted only with ENABLE_TEST_ROUTES: PUT /v1/test/dns-txt sets the
 * answers of the fake TXT resolver that replaces DNS in that mode. */
extern const struct route tenants_admin_test_routes[];
extern const size_t tenants_admin_test_nroutes;

#endif
