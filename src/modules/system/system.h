/* system.h — platform routes (health, readiness, metrics), the test-only
 * routes, and the platform's own jobs (the periodic purge). */
#ifndef SYSTEM_H
#define SYSTEM_H

#include <stddef.h>

#include "db/jobs.h"
#include "http/http.h"

extern const struct route system_routes[];
extern const size_t system_nroutes;

/* Routes that exist only with ENABLE_TEST_ROUTES=true: they let the test
 * suite hold a request open, enqueue jobs, and exercise JSON validation. */
extern const struct route system_test_routes[];
extern const size_t system_test_nroutes;

extern const struct job_handler system_job_handlers[];
extern const size_t system_njob_handlers;
extern const struct job_handler system_test_job_handlers[];
extern const size_t system_test_njob_handlers;
extern const struct periodic_job system_periodic_jobs[];
extern const size_t system_nperiodic_jobs;

#endif
