/* catalog_service.h — the catalog's rules: descriptor hooks (plan seat
 * limit, currencies, resource quantities) and the set endpoints (a staff
 * member's services and schedule, a resource's services). Internal to the
 * catalog module. */
#ifndef CATALOG_SERVICE_H
#define CATALOG_SERVICE_H

#include <jansson.h>

#include "modules/admin/admin.h"

extern const struct admin_resource catalog_services_res;
extern const struct admin_resource catalog_addons_res;
extern const struct admin_resource catalog_staff_res;
extern const struct admin_resource catalog_time_off_res;
extern const struct admin_resource catalog_resources_res;

/* Hooks named by the descriptors. */
enum status catalog_service_guard(struct admin_op *op) MUST_USE;
enum status catalog_addon_guard(struct admin_op *op) MUST_USE;
enum status catalog_staff_guard(struct admin_op *op) MUST_USE;
enum status catalog_time_off_validate(struct admin_op *op) MUST_USE;
enum status catalog_resource_guard(struct admin_op *op) MUST_USE;

/* The set endpoints. Each reads or replaces in one transaction; *out is
 * the set as rendered ({"service_ids": …, "version": …} and so on), sorted.
 * Input sets come in the request's order, so errors name the request's
 * positions. have_version: the If-Match the caller sent, checked against
 * the parent row, whose version a change moves. */
enum status catalog_staff_services_get(struct ctx *ctx, const char *staff_id,
    json_t **out) MUST_USE;
enum status catalog_staff_services_put(struct ctx *ctx, const char *staff_id,
    bool have_version, long long version, json_t *service_ids, json_t **out) MUST_USE;
enum status catalog_staff_schedule_get(struct ctx *ctx, const char *staff_id,
    json_t **out) MUST_USE;
enum status catalog_staff_schedule_put(struct ctx *ctx, const char *staff_id,
    bool have_version, long long version, const struct admin_interval *iv, size_t n,
    json_t **out) MUST_USE;
enum status catalog_resource_services_get(struct ctx *ctx, const char *resource_id,
    json_t **out) MUST_USE;
enum status catalog_resource_services_put(struct ctx *ctx, const char *resource_id,
    bool have_version, long long version, json_t *items, json_t **out) MUST_USE;

#endif
