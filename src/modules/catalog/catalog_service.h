/* catalog_service.h — the catalog's rules: descriptor hooks (plan seat
 * limit, currencies, resource quantities) and the set endpoints (a staff
 * member's services and schedule, a resource's services). Internal to the
 * catalog module. */
#ifndef CATALOG_SERVICE_H
#define CATALOG_SERVICE_H

#include <jansson.h>

#include "modules/admin/admin.h"
#include "modules/catalog/catalog.h"

extern const struct admin_resource catalog_time_off_res;
extern const struct admin_resource catalog_resources_res;

/* Hooks named by the descriptors. */
enum status catalog_service_guard(struct admin_op *op) MUST_USE;
enum status catalog_addon_guard(struct admin_op *op) MUST_USE;
enum status catalog_staff_guard(struct admin_op *op) MUST_USE;
enum status catalog_time_off_validate(struct admin_op *op) MUST_USE;
enum status catalog_resource_guard(struct admin_op *op) MUST_USE;

enum status catalog_resource_services_get(struct ctx *ctx, const char *resource_id,
    json_t **out) MUST_USE;
enum status catalog_resource_services_put(struct ctx *ctx, const char *resource_id,
    bool have_version, long long version, json_t *items, json_t **out) MUST_USE;

#endif
