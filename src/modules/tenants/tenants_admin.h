/* tenants_admin.h — TRANSITIONAL (issue 10): the admin route tables are
 * declared in tenants.h, the tenants module's one public header; include
 * that. */
#ifndef TENANTS_ADMIN_H
#define TENANTS_ADMIN_H

#include "modules/tenants/tenants.h"

#endif
