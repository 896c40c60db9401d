/* catalog.h — what the business sells and who and what delivers it:
 * services and add-ons, staff (skills, weekly schedules, time off) and
 * resources, managed through the admin API. The scheduling engine and the
 * AI read the same tables. */
#ifndef CATALOG_H
#define CATALOG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/ctx.h"
#include "http/http.h"

struct admin_interval;
struct admin_resource;

/* The admin engine's descriptors of what the catalog sells and who
 * delivers it, for callers that create through admin_svc_* (the demo). */
extern const struct admin_resource catalog_services_res;
extern const struct admin_resource catalog_addons_res;	/* parent: a service */
extern const struct admin_resource catalog_staff_res;

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


extern const struct route_table catalog_routes;

#endif
