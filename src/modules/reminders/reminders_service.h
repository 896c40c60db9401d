/* reminders_service.h — the module's rules, for its routes and jobs. */
#ifndef REMINDERS_SERVICE_H
#define REMINDERS_SERVICE_H

#include <jansson.h>

#include "core/ctx.h"
#include "modules/reminders/reminders.h"
#include "modules/reminders/reminders_store.h"

/* How far ahead the planner queues reminders, and how late it still does
 * (a worker that was down longer skips what it missed: a reminder an hour
 * late is noise). */
#define RMD_HORIZON_MIN 60
#define RMD_LATE_MIN 60
/* Rows per planner transaction, and transactions per run (2 million
 * reminders a minute at most; the rest wait for the next run). */
#define RMD_BATCH 20000
#define RMD_MAX_BATCHES 100

enum status rmd_settings_get(struct ctx *ctx, struct rmd_settings *out) MUST_USE;
/* if_version < 0: no check. Audited ("reminders.updated"). */
enum status rmd_settings_put(struct ctx *ctx, const struct rmd_settings *in,
    int if_version) MUST_USE;
json_t *rmd_settings_json(const struct rmd_settings *s);

/* One planner run: all tenants, or ctx's when only_tenant. now: RFC 3339,
 * NULL for the database's clock; horizon_min <= 0 for the default. */
enum status rmd_plan(struct ctx *ctx, const char *now, int horizon_min, bool only_tenant,
    long long *planned, long long *cancelled) MUST_USE;

/* The link in a reminder: confirms booking `reference` of ctx's tenant. */
enum status rmd_confirm_token(struct ctx *ctx, const char *reference, const char *token,
    struct reminders_confirmed *out) MUST_USE;

#endif
