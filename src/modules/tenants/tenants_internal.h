/* tenants_internal.h — shared between the tenants module's files only: the
 * services behind the tenant admin's own routes (tenants_admin.c), which
 * pass the admin engine's descriptors they are defined with. */
#ifndef TENANTS_INTERNAL_H
#define TENANTS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "core/ctx.h"
#include "modules/admin/admin.h"

/* Replaces the week's business hours with iv (want: the same as JSON),
 * audited, unless they are already that. */
enum status tenants_hours_replace(struct ctx *c, const struct admin_interval *iv, size_t n,
    json_t *want) MUST_USE;
/* The domain row id of res, and the tenant's plan. */
enum status tenants_domain_load(struct ctx *c, const struct admin_resource *res,
    const char *id, json_t **row, char plan[16]) MUST_USE;
/* Records a verification's outcome for the token that was looked up (the
 * row may have changed while DNS answered); *row is the row as it is. */
enum status tenants_domain_record(struct ctx *c, const struct admin_resource *res,
    const char *id, const char *token, bool verified, json_t **row) MUST_USE;

#endif
