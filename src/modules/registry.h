/* registry.h — the one place that knows every module's routes and jobs,
 * so main.c stays a dispatcher and adding a module touches one file. */
#ifndef MODULES_REGISTRY_H
#define MODULES_REGISTRY_H

#include "app.h"
#include "db/jobs.h"

/* Mounts every module's routes (and the test routes when enabled) and
 * installs the tenant and auth hooks. */
void registry_mount(struct app *app);

/* Job handlers and periodic jobs for `worker`. */
size_t registry_job_handlers(const struct app *app, struct job_handler *out, size_t max);
const struct periodic_job *registry_periodic_jobs(size_t *n);

#endif
